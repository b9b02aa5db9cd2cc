package io.tally.cli;

import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.progress.TridentProgressCheck;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import org.apache.storm.Config;
import org.apache.storm.StormSubmitter;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.utils.Utils;
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

    @Option(names = "--journeys-only", description = "Only de-duplication and the configured funnels, retention and"
            + " sessions, nothing else counted: backfills a new funnel or retention definition from retained data under"
            + " its own --name (see OPERATIONS.md).")
    boolean journeysOnly;

    @Option(names = "--force-name", description = "Submit under --name even where Tally refuses it: a --segments-only"
            + " topology under the configured topology.name, or the full topology under another name (see"
            + " docs/security-and-identity.md).")
    boolean forceName;

    @Option(names = "--resume-lost-progress", description = "ZooKeeper lost this topology's Trident state while"
            + " Cassandra kept its rows (submit refuses that): start its batches after the last one Cassandra records"
            + " and read every source again from its first retained record; the de-duplication window drops what it"
            + " still remembers (see deploy/OPERATIONS.md, 'Lost ZooKeeper state').")
    boolean resumeLostProgress;

    @Override
    public Integer call() throws Exception {
        TallyConfig tally = config.load();
        String refused = refusedName(tally);
        if (refused != null) {
            System.err.println(refused);
            return TallyCommand.EXIT_BAD_CONFIG;
        }
        if (name != null) {
            tally = tally.toBuilder().name(name).build();
        }
        if (segmentsOnly && journeysOnly) {
            System.err.println("--segments-only and --journeys-only are two backfills: submit each under its own --name");
            return TallyCommand.EXIT_BAD_CONFIG;
        }
        if (journeysOnly && tally.funnels().isEmpty() && tally.retention().isEmpty() && tally.sessions().isEmpty()) {
            System.err.println("--journeys-only needs at least one funnel, retention definition or the sessions section");
            return TallyCommand.EXIT_BAD_CONFIG;
        }
        if (segmentsOnly && tally.segments().isEmpty()) {
            System.err.println("--segments-only needs at least one segment in the configuration's segments section");
            return TallyCommand.EXIT_BAD_CONFIG;
        }
        StormTopology topology = TallyTopology.build(tally,
                segmentsOnly ? TallyTopology.Scope.SEGMENTS_ONLY
                        : journeysOnly ? TallyTopology.Scope.JOURNEYS_ONLY : TallyTopology.Scope.FULL);
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
        Integer progressRefused = checkProgress(tally);
        if (progressRefused != null) {
            return progressRefused;
        }
        StormSubmitter.submitTopologyWithProgressBar(tally.name(), conf, topology);
        System.out.println("Submitted topology " + tally.name());
        return 0;
    }

    private static final long PROGRESS_CHECK_SECONDS = 30;

    /**
     * Compares Trident's progress in the cluster's ZooKeeper with Cassandra's record; with --resume-lost-progress,
     * moves Trident's batches past the record instead. The workers compare the same before their first batch, so a
     * ZooKeeper this host cannot reach (submitting needs only Nimbus) is reported and the topology submitted.
     *
     * @return the exit code when the topology must not be submitted, or null
     */
    private Integer checkProgress(TallyConfig tally) throws InterruptedException {
        TridentProgressCheck check = new TridentProgressCheck(tally, Utils.readStormConfig());
        ExecutorService zookeeper = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tally-progress-check");
            thread.setDaemon(true);
            return thread;
        });
        try {
            if (resumeLostProgress) {
                Optional<Long> next = zookeeper.submit(check::resume).get(PROGRESS_CHECK_SECONDS, TimeUnit.SECONDS);
                System.out.println(next.map(txid -> "Trident's batches of topology " + tally.name() + " start at "
                        + txid + ", after the last batch keyspace " + tally.cassandra().keyspace() + " records;"
                        + " every source is read again from its first retained record.")
                        .orElse("ZooKeeper holds topology " + tally.name() + "'s progress: --resume-lost-progress"
                                + " changed nothing."));
                return null;
            }
            Optional<String> refusal = zookeeper.submit(check::refusal).get(PROGRESS_CHECK_SECONDS, TimeUnit.SECONDS);
            if (refusal.isPresent()) {
                System.err.println(refusal.get());
                return TallyCommand.EXIT_BAD_CONFIG;
            }
            return null;
        } catch (ExecutionException | TimeoutException e) {
            String why = e instanceof TimeoutException ? "no answer within " + PROGRESS_CHECK_SECONDS + " s"
                    : String.valueOf(e.getCause());
            if (resumeLostProgress) {
                System.err.println("--resume-lost-progress needs Trident's ZooKeeper and Cassandra: " + why);
                return TallyCommand.EXIT_UNAVAILABLE;
            }
            System.err.println("Warning: Trident's progress in ZooKeeper was not compared with Cassandra's record ("
                    + why + "); the workers compare them before their first batch.");
            return null;
        } finally {
            zookeeper.shutdownNow();
        }
    }

    /** Why this submission's name is refused for the configuration; null when it is not (or --force-name). */
    String refusedName(TallyConfig configured) {
        return forceName ? null : nameProblem(configured, name, segmentsOnly ? "--segments-only"
                : journeysOnly ? "--journeys-only" : null);
    }

    /**
     * Why a topology may not run under {@code name} (null: under the configured name); null when it may. A
     * topology's name is the identity of its progress: Trident keeps its transaction ids and its Kafka and file
     * positions under a ZooKeeper root named after it. So a backfill under the production name would take over the
     * production topology's progress, and the full topology under a new name would start from the first retained
     * record and count it all again into the same keyspace.
     */
    static String nameProblem(TallyConfig configured, String name, boolean segmentsOnly) {
        return nameProblem(configured, name, segmentsOnly ? "--segments-only" : null);
    }

    /** As above; {@code backfillFlag} the backfill's option ({@code --segments-only}), null for the full topology. */
    static String nameProblem(TallyConfig configured, String name, String backfillFlag) {
        boolean segmentsOnly = backfillFlag != null;
        String configuredName = configured.name();
        String effective = name == null ? configuredName : name;
        String root = TallyTopology.transactionalRoot(configured.toBuilder().name(effective).build());
        if (configured.backfill().isPresent() && effective.equals(TallyConfig.DEFAULT_NAME)) {
            return "This configuration is a backfill (backfill: " + configured.backfill().get().from() + " to "
                    + configured.backfill().get().to() + ") but runs under the name '" + effective + "', the default"
                    + " name of the live topology: it would take over the live topology's progress (ZooKeeper root "
                    + root + ") and its de-duplication state. Give the backfill a topology.name of its own (for"
                    + " example tally-backfill-" + configured.backfill().get().from().toString().substring(0, 7)
                    + "), or pass --force-name if this is really meant.";
        }
        if (segmentsOnly && effective.equals(configuredName)) {
            return backfillFlag + " would run under the name '" + effective + "', the full topology's (topology.name):"
                    + " it would read and write the production topology's progress under the ZooKeeper root " + root
                    + " and count nothing else. Give the backfill a name of its own with --name (for example --name "
                    + configuredName + "-segment-backfill), or pass --force-name if this is really meant.";
        }
        if (!segmentsOnly && !effective.equals(configuredName)) {
            return "'" + effective + "' is not the configured topology.name '" + configuredName + "': the full"
                    + " topology keeps its progress under a ZooKeeper root named after it, and ZooKeeper root " + root
                    + " is new, so it would read every topic and file from the start and count every retained record"
                    + " again into keyspace " + configured.cassandra().keyspace() + ". Keep the configured name (to"
                    + " rename the topology, change topology.name together with a new keyspace), or pass --force-name"
                    + " if this is really meant.";
        }
        return null;
    }
}
