package io.tally.local;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.collector.CollectorSettings;
import io.tally.collector.http.CollectorServer;
import io.tally.local.kafka.KafkaTopics;
import io.tally.local.sample.SampleEvents;
import io.tally.local.server.S3Server;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.internal.SessionRegistry;
import io.tally.state.schema.SchemaApplier;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The main job on the embedded default: real Kafka and Cassandra, Storm's LocalCluster, the bundled
 * sample loaded into Kafka, the production topology counting it into Cassandra, and the counts read
 * back with CQL. With {@code --s3}, the sample is put instead in a bucket of a local S3 API server as
 * hourly gzip exports, and read from there by the object-store spout. Everything it starts it stops,
 * unless asked to keep running until Ctrl-C.
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

    @Option(names = "--s3",
            description = "Start a local S3 API server (S3Proxy, objects as files under the data directory, on"
                    + " 127.0.0.1) with a bucket holding the sample as hourly gzip exports, and count the sample from"
                    + " there (the object-store source) instead of loading it into Kafka.")
    boolean s3;

    @Option(names = "--s3-port", defaultValue = "9000",
            description = "Port of the local S3 API server with --s3 (default: ${DEFAULT-VALUE}).")
    int s3Port;

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

    @Option(names = "--timeout-secs", defaultValue = "300",
            description = "Give up if the sample is not fully counted within this time (default: ${DEFAULT-VALUE}).")
    int timeoutSecs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalRunner()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Console console = new Console();
        console.step("Starting Kafka, Cassandra and Storm LocalCluster (data in " + dataDir.toAbsolutePath() + ")");
        LocalStackConfig stackConfig = LocalStackConfig.builder()
                .dataDir(dataDir)
                .kafkaPort(kafkaPort)
                .cassandraNativePort(cassandraPort)
                .build();
        S3Server s3Server = null;
        try (LocalStack stack = LocalStack.start(stackConfig)) {
            InetSocketAddress cassandra = stack.cassandra().contactPoint();
            TallyConfig.Builder builder = TallyConfig.builder();
            if (filesDir != null) {
                builder.files(FileSpoutSettings.of(filesDir.toAbsolutePath().toString(), "*.{jsonl,json,log}{,.gz}"));
            }
            if (s3) {
                s3Server = S3Server.start(dataDir.resolve("s3"), s3Port);
                // The topology runs in this JVM: its client finds the key pair through the SDK's default chain.
                S3Server.useCredentialsInThisJvm();
                builder.objects(ObjectStoreSettings.of(SampleBucket.BUCKET).withPrefixes(List.of(SampleBucket.PREFIX))
                        .withEndpoint(s3Server.endpoint(), null));
                console.done("S3 API at " + s3Server.endpoint() + " (S3Proxy; access key " + S3Server.ACCESS_KEY
                        + ", a local key pair)");
            }
            TallyConfig config = builder
                    .kafka(KafkaSpoutSettings.builder(stack.kafka().bootstrapServers(), List.of(TOPIC)).build())
                    .cassandra(CassandraSettings.builder()
                            .contactPoint(cassandra.getHostString() + ":" + cassandra.getPort())
                            .localDatacenter(stack.cassandra().localDatacenter())
                            .build())
                    .build();
            console.done("Kafka at " + stack.kafka().bootstrapServers() + ", Cassandra at "
                    + cassandra.getHostString() + ":" + cassandra.getPort());

            CollectorServer collector = null;
            try (CqlSession session = SessionRegistry.builder(config.cassandra()).build()) {
                console.step("Applying deploy/schema.cql to keyspace " + config.cassandra().keyspace());
                SchemaApplier.bundled().apply(session, config.cassandra().keyspace(), config.replication());
                console.done("schema ready");

                KafkaTopics.create(stack.kafka().bootstrapServers(), TOPIC, PARTITIONS);
                collector = noCollector ? null : startCollector(stack.kafka().bootstrapServers(), console);
                long expected;
                if (s3Server == null) {
                    expected = SampleLoad.into(stack.kafka().bootstrapServers(), TOPIC, PARTITIONS,
                            SampleEvents.load(), console).expectedTotal();
                } else {
                    expected = fillSampleBucket(s3Server, stack.kafka().bootstrapServers(), console);
                }

                console.step("Submitting topology '" + config.name() + "' to LocalCluster");
                long commitsBefore = SpoutMetrics.totals().committedBatches();
                stack.storm().submit(config.name(), TallyTopology.stormConfig(config), TallyTopology.build(config));
                CountsReport report = new CountsReport(session, config.cassandra().keyspace());
                if (filesDir != null) {
                    long lines = LogDirectory.countLines(filesDir);
                    console.done(String.format("%,d lines in the log files of %s (bad ones are kept as rejects)",
                            lines, filesDir.toAbsolutePath()));
                    expected += lines;
                }
                boolean complete = report.awaitTotal(expected, timeoutSecs, console);
                report.print(console);
                if (!complete) {
                    console.fail("counted " + report.total() + " of " + expected + " records within "
                            + timeoutSecs + " s; the logs are in " + dataDir.resolve("logs").toAbsolutePath());
                    return 1;
                }
                if (keepRunning) {
                    console.step("Running until Ctrl-C. Kafka " + stack.kafka().bootstrapServers() + ", topic "
                            + TOPIC + "; Cassandra " + cassandra.getHostString() + ":" + cassandra.getPort()
                            + ", keyspace " + config.cassandra().keyspace()
                            + (s3Server == null ? "" : "; S3 " + s3Server.endpoint() + ", bucket "
                                    + SampleBucket.BUCKET + ", new exports under " + SampleBucket.PREFIX));
                    awaitInterrupt();
                }
                // On a second run the counts are complete before the topology's worker has started, and killing
                // a topology whose worker is still starting makes LocalCluster's supervisor halt this JVM.
                awaitFirstCommit(commitsBefore);
                console.step("Stopping");
                stack.storm().kill(config.name());
            } finally {
                if (collector != null) {
                    collector.close();
                }
                SessionRegistry.closeAll();
            }
        } finally {
            if (s3Server != null) {
                s3Server.stop();
            }
        }
        console.done("everything stopped");
        return 0;
    }

    /**
     * Puts the sample in the bucket (once) and returns what the counts must reach: the distinct events of the bucket
     * and of the Kafka topic, which an earlier run without {@code --s3} may have filled with the same sample.
     */
    private static long fillSampleBucket(S3Server server, String bootstrapServers, Console console) {
        DistinctRecords expected = new DistinctRecords();
        try (S3Client client = server.client()) {
            SampleBucket.fill(client, SampleEvents.load(), console);
            SampleBucket.forEachLine(client, expected::add);
        }
        long fromBucket = expected.total();
        SampleLoad.forEachRecord(bootstrapServers, TOPIC, PARTITIONS, expected::add);
        console.done(String.format("%,d distinct events in bucket '%s'%s", fromBucket, SampleBucket.BUCKET,
                expected.total() == fromBucket ? "" : String.format(", %,d with topic '%s'", expected.total(), TOPIC)));
        return expected.total();
    }

    /** The HTTP collector in this JVM, writing to the topic the topology reads (see docs/collector.md). */
    private CollectorServer startCollector(String bootstrapServers, Console console) {
        CollectorServer collector = CollectorServer.start(CollectorSettings.builder(bootstrapServers, TOPIC)
                .port(collectorPort).source("local", collectorWriteKey).build());
        console.done("collector at http://127.0.0.1:" + collector.port() + "/v1/ (write key '" + collectorWriteKey
                + "', source 'local')");
        return collector;
    }

    /** Waits (at most a minute) until the topology has committed a batch: its worker is running. */
    private static void awaitFirstCommit(long commitsBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (SpoutMetrics.totals().committedBatches() <= commitsBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void awaitInterrupt() throws InterruptedException {
        CountDownLatch forever = new CountDownLatch(1);
        forever.await();
    }
}
