package io.tally.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tally}: the entry point of the storm jar, run by {@code storm jar tally-cli-<version>-storm.jar
 * io.tally.cli.TallyCommand …} (or {@code java -jar} for the commands that need no cluster).
 */
@Command(name = "tally", mixinStandardHelpOptions = true, versionProvider = TallyVersion.class,
        description = "Exactly-once event analytics on Storm Trident and Cassandra.",
        subcommands = {SubmitCommand.class, SchemaCommand.class, QueryCommand.class, StatusCommand.class,
                DashboardCommand.class})
public final class TallyCommand implements Runnable {

    /** Exit code for a configuration Tally refuses; nothing was submitted or changed. */
    static final int EXIT_BAD_CONFIG = 2;
    /** Exit code when Kafka or Cassandra could not be reached or a check failed. */
    static final int EXIT_UNAVAILABLE = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new TallyCommand())
                .setExecutionExceptionHandler(new ConfigErrorHandler());
    }
}
