package io.tally.local;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.bolts.trident.IngestRecords;
import io.tally.collector.CollectorSettings;
import io.tally.collector.http.CollectorServer;
import io.tally.dashboard.DashboardServer;
import io.tally.local.kafka.KafkaTopics;
import io.tally.local.sample.HistoricSpan;
import io.tally.local.sample.SampleEvents;
import io.tally.local.server.S3Server;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.SchemaApplier;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import io.tally.topology.keyed.Deduplicate;
import io.tally.topology.progress.TridentProgressCheck;
import io.tally.topology.status.StatusFormat;
import io.tally.topology.status.StatusReader;
import io.tally.topology.status.TallyStatus;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The main job on the embedded default: real Kafka and Cassandra, Storm's LocalCluster, the bundled
 * sample loaded into Kafka, the production topology (of the default configuration or {@code --config}'s)
 * counting it into Cassandra until every source is read to its end in committed batches, and the counts read
 * back with CQL. With {@code --s3}, the sample is put instead in a bucket of a local S3 API server as hourly gzip
 * exports, and read from there by the object-store source. Everything it starts it stops, unless asked to keep
 * running until Ctrl-C.
 */
@Command(name = "tally-local", mixinStandardHelpOptions = true,
        description = "Run Tally on this machine: Kafka + Cassandra + Storm LocalCluster, with a sample of events.")
public final class LocalRunner implements Callable<Integer> {
    static final String TOPIC = "events";
    static final int PARTITIONS = 4;

    @Option(names = "--data-dir", defaultValue = ".tally-local", paramLabel = "DIR",
            description = "Where Kafka, Cassandra and ZooKeeper keep their data (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka listener port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--cassandra-port", defaultValue = "9042",
            description = "Cassandra native (CQL) port (default: ${DEFAULT-VALUE}).")
    int cassandraPort;

    @Option(names = "--files", paramLabel = "DIR",
            description = "Also ingest the log files (*.jsonl, *.json, *.log, plain or .gz) of this directory:"
                    + " existing files first, then new files and appended lines as they come.")
    Path filesDir;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Run this Tally configuration (see deploy/tally.yaml: segments, breakdowns, transforms,"
                    + " batches) on the embedded servers: its Kafka and Cassandra addresses are replaced by theirs."
                    + " The sample goes to its first topic.")
    Path configFile;

    @Option(names = "--s3",
            description = "Start a local S3 API server (S3Proxy, objects as files under the data directory, on"
                    + " 127.0.0.1) with a bucket holding the sample as hourly gzip exports, and count the sample from"
                    + " there (the object-store source) instead of loading it into Kafka.")
    boolean s3;

    @Option(names = "--s3-port", defaultValue = "9000",
            description = "Port of the local S3 API server with --s3 (default: ${DEFAULT-VALUE}).")
    int s3Port;

    private S3Server s3Server;

    @Option(names = "--keep-running", description = "Keep everything running after the sample is counted, until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--collector-port", defaultValue = "8088",
            description = "Port of the HTTP event collector (Segment's Tracking API) on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int collectorPort;

    @Option(names = "--collector-write-key", defaultValue = "local-write-key", paramLabel = "KEY",
            description = "The write key the collector accepts, as source 'local' (default: ${DEFAULT-VALUE}).")
    String collectorWriteKey;

    @Option(names = "--no-collector", description = "Do not start the HTTP event collector.")
    boolean noCollector;

    @Option(names = "--dashboard-port", defaultValue = "8089",
            description = "Port of the dashboard on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free port).")
    int dashboardPort;

    @Option(names = "--no-dashboard", description = "Do not start the dashboard.")
    boolean noDashboard;

    @Option(names = "--timeout-secs", defaultValue = "300",
            description = "Give up if the sources are not read to their end in committed batches (Kafka lag 0, every"
                    + " file read) within this time (default: ${DEFAULT-VALUE}).")
    int timeoutSecs;

    private final Console console = new Console();
    private volatile DashboardServer dashboard;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private UnaryOperator<TallyConfig> adjustment = UnaryOperator.identity();
    private LocalStack runningStack;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalRunner()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (runningStack == null) {
            console.step("Starting Kafka, Cassandra and Storm LocalCluster (data in " + dataDir.toAbsolutePath()
                    + ")");
        }
        LocalStackConfig stackConfig = LocalStackConfig.builder()
                .dataDir(dataDir)
                .kafkaPort(kafkaPort)
                .cassandraNativePort(cassandraPort)
                .build();
        int exit;
        LocalStack started = runningStack == null ? LocalStack.start(stackConfig) : null;
        try {
            LocalStack stack = started != null ? started : runningStack;
            if (s3) {
                s3Server = S3Server.start(dataDir.resolve("s3"), s3Port);
                // The topology runs in this JVM: its client finds the key pair through the SDK's default chain.
                S3Server.useCredentialsInThisJvm();
                console.done("S3 API at " + s3Server.endpoint() + " (S3Proxy; access key " + S3Server.ACCESS_KEY
                        + ", a local key pair)");
            }
            try {
                exit = run(stack);
            } finally {
                SessionRegistry.closeAll();
            }
        } finally {
            if (s3Server != null) {
                s3Server.stop();
            }
            if (started != null) {
                started.close();
            }
        }
        console.done("everything stopped");
        return exit;
    }

    /**
     * The configuration to run: {@code --config}'s, or the default (topic {@value #TOPIC}), with the embedded
     * servers' addresses, a keyspace on the one local node, and {@code --files} as its files source.
     */
    private TallyConfig localConfig(LocalStack stack) {
        String kafka = stack.kafka().bootstrapServers();
        InetSocketAddress address = stack.cassandra().contactPoint();
        String cassandra = address.getHostString() + ":" + address.getPort();
        KafkaSpoutSettings localTopic = KafkaSpoutSettings.builder(kafka, List.of(TOPIC)).build();
        TallyConfig written = configFile == null ? TallyConfig.builder().kafka(localTopic).build()
                : TallyConfigLoader.withSystemEnvironment().load(configFile);
        TallyConfig.Builder local = written.toBuilder()
                .kafka(written.kafka().map(k -> k.at(kafka, LocalRunner::notSecurity)).orElse(localTopic))
                .cassandra(written.cassandra().toBuilder()
                        .contactPoints(List.of(cassandra))
                        .localDatacenter(stack.cassandra().localDatacenter())
                        .credentials(null, null)
                        .ssl(false)
                        .build())
                .replication(Map.of("class", "SimpleStrategy", "replication_factor", "1"));
        if (written.backfill().isEmpty()) {
            // The sample is old data with its own old receivedAt: counted as a backfill (see HistoricSpan).
            HistoricSpan.backfill(local, HistoricSpan.untilTomorrow(), written.dedupWindow(), written.lagAllowance());
        }
        if (filesDir != null) {
            local.files(FileSpoutSettings.of(filesDir.toAbsolutePath().toString(), "*.{jsonl,json,log}{,.gz}"));
        }
        if (s3Server != null) {
            local.objects(ObjectStoreSettings.of(SampleBucket.BUCKET).withPrefixes(List.of(SampleBucket.PREFIX))
                    .withEndpoint(s3Server.endpoint(), null));
        }
        if (configFile != null) {
            console.done(String.format("%s: Kafka %s and Cassandra %s (datacenter %s) replaced by the embedded"
                            + " %s and %s; keyspace %s on one node, without credentials or TLS; the rest as written",
                    configFile, written.kafka().map(KafkaSpoutSettings::bootstrapServers)
                            .orElse("(none: topic " + TOPIC + " added)"),
                    written.cassandra().contactPoints(), written.cassandra().localDatacenter(), kafka, cassandra,
                    written.cassandra().keyspace()));
        }
        return local.build();
    }

    /** The embedded Kafka has no security: a production cluster's SASL and TLS properties would only break it. */
    private static boolean notSecurity(String consumerProperty) {
        return !(consumerProperty.startsWith("security.") || consumerProperty.startsWith("sasl.")
                || consumerProperty.startsWith("ssl."));
    }

    /**
     * For tests: changes the configuration the runner builds (say, names of their own) before it is used.
     */
    public LocalRunner adjustingConfig(UnaryOperator<TallyConfig> adjustment) {
        this.adjustment = adjustment;
        return this;
    }

    /**
     * For tests: {@link #call()} runs on {@code stack}, already running, instead of starting the servers of
     * {@code --data-dir} and the port options, and leaves it running. Everything else the command line does (the S3
     * server of {@code --s3}, the report, closing the Cassandra sessions) happens as for a user.
     */
    public LocalRunner onRunningStack(LocalStack stack) {
        this.runningStack = stack;
        return this;
    }

    /** Ends a {@code --keep-running} run as Ctrl-C does: the topology is killed and {@link #run} returns. */
    public void stop() {
        stopped.countDown();
    }

    /**
     * Everything but starting and stopping the servers, on a stack already running: the schema, the sample, the
     * topology, waiting until the input is counted, the report, and with {@code --keep-running} counting on until
     * {@link #stop()}. Returns the exit code.
     */
    public int run(LocalStack stack) throws Exception {
        InetSocketAddress cassandra = stack.cassandra().contactPoint();
        TallyConfig config = adjustment.apply(localConfig(stack));
        String topic = config.kafka().orElseThrow().topics().get(0);
        console.done("Kafka at " + stack.kafka().bootstrapServers() + ", Cassandra at "
                + cassandra.getHostString() + ":" + cassandra.getPort());

        CollectorServer collector = null;
        StatusReader dashboardStatus = null;
        try (CqlSession session = SessionRegistry.builder(config.cassandra()).build()) {
            console.step("Applying deploy/schema.cql to keyspace " + config.cassandra().keyspace());
            SchemaApplier.bundled().apply(session, config.cassandra().keyspace(), config.replication());
            console.done("schema ready");

            for (String configured : config.kafka().orElseThrow().topics()) {
                KafkaTopics.create(stack.kafka().bootstrapServers(), configured, PARTITIONS);
            }
            collector = noCollector ? null : startCollector(stack.kafka().bootstrapServers(), topic);
            if (!noDashboard) {
                dashboardStatus = new StatusReader(config, stack.storm().tridentConf(), session);
                dashboard = startDashboard(config, session, dashboardStatus);
            }
            // With --s3 the status is caught up once every listed object is read in committed batches; the run
            // also waits until the sample's distinct records are counted, which is what it reports.
            long objectRecords = 0;
            if (s3Server == null) {
                SampleLoad.into(stack.kafka().bootstrapServers(), topic, PARTITIONS, SampleEvents.load(), console);
            } else {
                objectRecords = fillSampleBucket(s3Server, stack.kafka().bootstrapServers(), topic, console);
            }

            var lostProgress = new TridentProgressCheck(config, stack.storm().transactionalConf()).refusal();
            if (lostProgress.isPresent()) {
                console.fail(lostProgress.get() + " Locally: delete " + dataDir.toAbsolutePath()
                        + " to start again from nothing.");
                return 2;
            }
            console.step("Submitting topology '" + config.name() + "' to LocalCluster");
            long commitsBefore = SpoutMetrics.totals().committedBatches();
            stack.storm().submit(config.name(), TallyTopology.stormConfig(config), TallyTopology.build(config));
            CountsReport report = new CountsReport(session, config.cassandra().keyspace());
            try (StatusReader status = new StatusReader(config, stack.storm().tridentConf(), session)) {
                TallyStatus counted = awaitCaughtUp(status, objectRecords);
                report.print(console);
                if (!complete(counted, objectRecords)) {
                    console.fail("the input was not counted within " + timeoutSecs + " s: " + left(counted)
                            + "; the logs are in " + dataDir.resolve("logs").toAbsolutePath());
                    awaitFirstCommit(commitsBefore);
                    stack.storm().kill(config.name());
                    return 1;
                }
                if (keepRunning) {
                    console.step("Running until Ctrl-C. Kafka " + stack.kafka().bootstrapServers() + ", topic "
                            + topic + "; Cassandra " + cassandra.getHostString() + ":" + cassandra.getPort()
                            + ", keyspace " + config.cassandra().keyspace()
                            + (s3Server == null ? "" : "; S3 " + s3Server.endpoint() + ", bucket "
                                    + SampleBucket.BUCKET + ", new exports under " + SampleBucket.PREFIX));
                    follow(status);
                }
            }
            // On a second run the counts are complete before the topology's worker has started, and killing
            // a topology whose worker is still starting makes LocalCluster's supervisor halt this JVM.
            awaitFirstCommit(commitsBefore);
            console.step("Stopping");
            stack.storm().kill(config.name());
        } finally {
            if (dashboard != null) {
                dashboard.close();
                dashboard = null;
                dashboardStatus.close();
            }
            if (collector != null) {
                collector.close();
            }
        }
        return 0;
    }

    /** Where the dashboard serves while {@link #run} runs; empty before, after, or with {@code --no-dashboard}. */
    public Optional<String> dashboardUrl() {
        DashboardServer current = dashboard;
        return current == null ? Optional.empty() : Optional.of(current.url());
    }

    /** The dashboard in this JVM, on the runner's session (see docs/dashboard.md). */
    private DashboardServer startDashboard(TallyConfig config, CqlSession session, StatusReader status) {
        DashboardServer dashboard = DashboardServer.start(
                config.dashboard().withPort(dashboardPort), () -> session, config.cassandra().keyspace(),
                status::read);
        console.done("dashboard at " + dashboard.url());
        return dashboard;
    }

    /** The HTTP collector in this JVM, writing to the topic the topology reads (see docs/collector.md). */
    private CollectorServer startCollector(String bootstrapServers, String topic) {
        CollectorServer collector = CollectorServer.start(CollectorSettings.builder(bootstrapServers, topic)
                .port(collectorPort).source("local", collectorWriteKey).build());
        console.done("collector at http://127.0.0.1:" + collector.port() + "/v1/ (write key '" + collectorWriteKey
                + "', source 'local')");
        return collector;
    }

    /**
     * Waits until the sources are read to their end in committed batches (Kafka lag 0, every file read to its end),
     * at most {@code --timeout-secs}, and returns the last status read.
     */
    private TallyStatus awaitCaughtUp(StatusReader reader, long objectRecords) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSecs);
        TallyStatus status = null;
        while (true) {
            status = read(reader, status);
            if (complete(status, objectRecords) || System.nanoTime() >= deadline) {
                return status;
            }
            Thread.sleep(1_000);
        }
    }

    /** Every source read to its end, and at least {@code objectRecords} records counted or rejected. */
    private static boolean complete(TallyStatus status, long objectRecords) {
        return status != null && status.caughtUp() && status.eventsCounted() + status.rejected() >= objectRecords;
    }

    /**
     * Puts the sample in the bucket (once) and returns what the counts must reach: the distinct events of the bucket
     * and of the Kafka topic, which an earlier run without {@code --s3} may have filled with the same sample.
     */
    private static long fillSampleBucket(S3Server server, String bootstrapServers, String topic, Console console) {
        DistinctRecords expected = new DistinctRecords();
        try (S3Client client = server.client()) {
            SampleBucket.fill(client, SampleEvents.load(), console);
            SampleBucket.forEachLine(client, expected::add);
        }
        long fromBucket = expected.total();
        SampleLoad.forEachRecord(bootstrapServers, topic, PARTITIONS, expected::add);
        console.done(String.format("%,d distinct events in bucket '%s'%s", fromBucket, SampleBucket.BUCKET,
                expected.total() == fromBucket ? "" : String.format(", %,d with topic '%s'", expected.total(), topic)));
        return expected.total();
    }

    /** Reports the status every few seconds until {@link #stop()}. */
    private void follow(StatusReader reader) throws InterruptedException {
        TallyStatus status = null;
        while (!stopped.await(FOLLOW_SECONDS, TimeUnit.SECONDS)) {
            status = read(reader, status);
        }
    }

    /**
     * Reads and prints the status; a server that does not answer this time (a Kafka leader moving, say) is reported
     * and the previous status kept, so a passing fault never stops the runner.
     */
    private TallyStatus read(StatusReader reader, TallyStatus previous) {
        try {
            TallyStatus status = reader.read();
            console.done(describe(status));
            return status;
        } catch (RuntimeException e) {
            console.fail("status not read this time: " + e.getMessage());
            return previous;
        }
    }

    private static final int FOLLOW_SECONDS = 5;

    /** The live status line: {@code tally status}'s, with what only this JVM knows. */
    private String describe(TallyStatus status) {
        long now = System.nanoTime();
        long ingested = IngestRecords.ingestedInThisJvm();
        double perSecond = (ingested - lastIngested) / Math.max(1e-3, (now - lastLineAt) / 1e9);
        lastIngested = ingested;
        lastLineAt = now;
        return StatusFormat.line(status, new StatusFormat.Local(perSecond, Deduplicate.droppedInThisJvm()));
    }

    private long lastIngested = IngestRecords.ingestedInThisJvm();
    private long lastLineAt = System.nanoTime();

    private static String left(TallyStatus status) {
        if (status == null) {
            return "the status could not be read";
        }
        List<String> left = new ArrayList<>();
        if (status.kafkaLag() != null) {
            left.add(String.format("Kafka lag %,d", status.totalKafkaLag()));
        }
        if (status.filesPending() != null) {
            left.add(status.filesPending() + " files pending");
        }
        if (status.objects() != null) {
            left.add(status.objects().pending() + " objects pending");
        }
        if (status.lastCommittedBatch() == null) {
            left.add("no batch committed yet");
        }
        return String.join(", ", left);
    }

    /** Waits (at most a minute) until the topology has committed a batch: its worker is running. */
    private static void awaitFirstCommit(long commitsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (SpoutMetrics.totals().committedBatches() <= commitsBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

}
