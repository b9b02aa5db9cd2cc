package io.tally.cli;

import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config} option every command shares. */
final class ConfigOption {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The Tally configuration (YAML); see deploy/tally.yaml.")
    Path file;

    TallyConfig load() {
        return TallyConfigLoader.withSystemEnvironment().load(file);
    }
}
