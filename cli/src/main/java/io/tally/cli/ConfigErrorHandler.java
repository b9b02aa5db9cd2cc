package io.tally.cli;

import io.tally.topology.config.ConfigException;
import picocli.CommandLine;

/** Shows a refused configuration as its one-line message, not a stack trace, and exits with code 2. */
final class ConfigErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult)
            throws Exception {
        if (e instanceof ConfigException) {
            commandLine.getErr().println("Invalid configuration: " + e.getMessage());
            commandLine.getErr().println("Nothing was submitted or changed.");
            return TallyCommand.EXIT_BAD_CONFIG;
        }
        throw e;
    }
}
