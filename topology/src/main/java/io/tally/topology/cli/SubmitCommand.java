package io.tally.topology.cli;

import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.storm.Config;
import org.apache.storm.StormSubmitter;
import org.apache.storm.generated.StormTopology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tally submit}: builds the topology from the configuration and submits it, or only checks it. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit the Tally topology to the Storm cluster (run through `storm jar`).")
final class SubmitCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--name", paramLabel = "NAME", description = "Topology name (default: topology.name, else 'tally').")
    String name;

    @Option(names = "--dry-run", description = "Validate the configuration, check that Kafka and Cassandra answer,"
            + " print the plan and the effective settings (secrets masked); submit nothing.")
    boolean dryRun;

    @Option(names = "--segments-only", description = "Only de-duplication and the configured segments, nothing"
            + " else counted: backfills a new segment from retained data under its own --name (see OPERATIONS.md).")
    boolean segmentsOnly;

    @Override
    public Integer call() throws Exception {
        TallyConfig tally = config.load();
        if (name != null) {
            tally = tally.toBuilder().name(name).build();
        }
        if (segmentsOnly && tally.segments().isEmpty()) {
            System.err.println("--segments-only needs at least one segment in the configuration's segments section");
            return TallyCommand.EXIT_BAD_CONFIG;
        }
        StormTopology topology = TallyTopology.build(tally,
                segmentsOnly ? TallyTopology.Scope.SEGMENTS_ONLY : TallyTopology.Scope.FULL);
        Config conf = TallyTopology.stormConfig(tally);
        if (dryRun) {
            System.out.println("Effective settings: " + tally);
            System.out.println("Plan:");
            TopologyPlan.describe(topology).forEach(line -> System.out.println("  " + line));
            List<String> problems = Preflight.check(tally);
            if (problems.isEmpty()) {
                System.out.println("Kafka and Cassandra answered; the schema is complete. Dry run: nothing submitted.");
                return 0;
            }
            problems.forEach(p -> System.err.println("Problem: " + p));
            return TallyCommand.EXIT_UNAVAILABLE;
        }
        StormSubmitter.submitTopologyWithProgressBar(tally.name(), conf, topology);
        System.out.println("Submitted topology " + tally.name());
        return 0;
    }
}
