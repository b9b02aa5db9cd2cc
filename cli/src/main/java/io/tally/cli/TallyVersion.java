package io.tally.cli;

import picocli.CommandLine;

/** Reports the version Maven wrote into the jar's manifest. */
final class TallyVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = TallyVersion.class.getPackage().getImplementationVersion();
        return new String[] {"tally " + (version == null ? "(development build)" : version)};
    }
}
