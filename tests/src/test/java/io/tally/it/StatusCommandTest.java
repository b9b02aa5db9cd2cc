package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.cli.TallyCommand;
import io.tally.it.support.CountTables;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.local.sample.HourlyExports;
import io.tally.local.server.S3Server;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.storm.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code tally status} against a running topology, as an operator runs it: lag 0 once the input is counted, and the
 * exact backlog while the topology is stopped and events keep coming, of Kafka and of an object store.
 */
@ExtendWith(RealServices.class)
class StatusCommandTest {
    private static final String TOPIC = "status-events";

    @Test
    void statusReportsNoLagOnceCountedAndTheBacklogWhileStopped() throws Exception {
        String keyspace = TestKeyspaces.create("status");
        TestTopologies.createTopic(TOPIC, 2);
        TallyConfig config = TestTopologies.config("it-status", TOPIC, keyspace);
        Path dir = TestDirectories.create("it-status-");
        Path file = dir.resolve("tally.yaml");
        TestTopologies.writeConfigFile(file, config.name(), 1, TOPIC, 100_000, keyspace);
        EventGenerator generator = new EventGenerator(31L, Instant.parse("2026-11-19T00:00:00Z"), 24, 500);
        Truth truth = new Truth();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), TOPIC, 2)) {
            kafka.send(truth.generate(generator, 3_000));
            TestTopologies.submit(config);
            CountTables.assertExact(TestKeyspaces.session(), keyspace, truth, Duration.ofMinutes(2));
            JsonNode counted = caughtUp(file);
            assertThat(counted.path("kafkaLag").path(TOPIC).asLong(-1)).isZero();
            assertThat(counted.path("caughtUp").asBoolean()).isTrue();
            assertThat(counted.path("eventsCounted").asLong()).isEqualTo(3_000);
            assertThat(counted.path("lastCommittedBatch").asLong()).isPositive();

            TestTopologies.killQuietly(config.name());
            kafka.send(new Truth().generate(generator, 1_200));
            JsonNode backlog = status(file);
            assertThat(backlog.path("kafkaLag").path(TOPIC).asLong()).isEqualTo(1_200);
            assertThat(backlog.path("caughtUp").asBoolean()).isFalse();
            assertThat(backlog.path("eventsCounted").asLong()).isEqualTo(3_000);
        } finally {
            TestTopologies.killQuietly(config.name());
            TestDirectories.delete(dir);
        }
    }

    /**
     * An object-store source: every listed object and byte read once counted; while the topology is stopped, new
     * exports (one gzip, one plain) are listed but not read. The byte truth is what was uploaded; the folder markers
     * a store may list (S3Proxy's filesystem store lists {@code web/2026-11-22/}) are not objects.
     */
    @Test
    void statusReportsObjectsReadAgainstListed() throws Exception {
        String keyspace = TestKeyspaces.create("statusobj");
        Path dir = TestDirectories.create("it-status-objects-");
        S3Server store = S3Server.start(dir.resolve("s3"), 0);
        S3Server.useCredentialsInThisJvm();
        String bucket = "status-exports";
        String prefix = "web/";
        // The exports hold the suite's November events: counted as a backfill, as every suite topology counts them.
        TallyConfig config = TestTopologies.historic(TallyConfig.builder()).name("it-status-objects")
                .objects(ObjectStoreSettings.of(bucket).withPrefixes(List.of(prefix))
                        .withEndpoint(store.endpoint(), null).withScanIntervalMillis(300))
                .cassandra(TestKeyspaces.settings(keyspace))
                .build();
        Path file = dir.resolve("tally.yaml");
        TestTopologies.writeConfigFile(file, config.name(), 1, keyspace, String.join("\n",
                "objects:",
                "  bucket: " + bucket,
                "  prefixes: [" + prefix + "]",
                "  endpoint: " + store.endpoint()));
        EventGenerator generator = new EventGenerator(32L, Instant.parse("2026-11-22T00:00:00Z"), 24, 500);
        Truth truth = new Truth();
        try (S3Client s3 = store.client()) {
            s3.createBucket(r -> r.bucket(bucket));
            long uploaded = 0;
            for (String hour : List.of("00", "01", "02")) {
                uploaded += put(s3, bucket, prefix + "2026-11-22/" + hour + ".gz", truth.generate(generator, 1_000));
            }
            TestTopologies.submit(config);
            CountTables.assertExact(TestKeyspaces.session(), keyspace, truth, Duration.ofMinutes(2));
            JsonNode counted = caughtUp(file);
            assertThat(counted.path("objects").path("listed").asLong()).isEqualTo(3);
            assertThat(counted.path("objects").path("read").asLong()).isEqualTo(3);
            assertThat(counted.path("objects").path("bytesListed").asLong()).isEqualTo(uploaded);
            assertThat(counted.path("objects").path("bytesRead").asLong()).isEqualTo(uploaded);
            assertThat(counted.path("caughtUp").asBoolean()).isTrue();

            TestTopologies.killQuietly(config.name());
            long more = put(s3, bucket, prefix + "2026-11-22/03.gz", new Truth().generate(generator, 400));
            byte[] plain = lines(new Truth().generate(generator, 300));
            s3.putObject(r -> r.bucket(bucket).key(prefix + "2026-11-22/04.jsonl"), RequestBody.fromBytes(plain));
            JsonNode backlog = status(file);
            assertThat(backlog.path("objects").path("listed").asLong()).isEqualTo(5);
            assertThat(backlog.path("objects").path("read").asLong()).isEqualTo(3);
            assertThat(backlog.path("objects").path("bytesListed").asLong()).isEqualTo(uploaded + more + plain.length);
            assertThat(backlog.path("objects").path("bytesRead").asLong()).isEqualTo(uploaded);
            assertThat(backlog.path("caughtUp").asBoolean()).isFalse();
            assertThat(statusText(file)).contains(String.format("Objects read (committed batches): 3 of 5 listed"
                    + " under the prefixes; %,d of %,d stored bytes", uploaded, uploaded + more + plain.length));
        } finally {
            TestTopologies.killQuietly(config.name());
            store.stop();
            TestDirectories.delete(dir);
        }
    }

    /** Uploads the events as one gzip export; returns its stored size. */
    private static long put(S3Client s3, String bucket, String key, List<GeneratedEvent> events) {
        byte[] gzip = HourlyExports.gzip(events.stream().map(GeneratedEvent::json).toList());
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(gzip));
        return gzip.length;
    }

    private static byte[] lines(List<GeneratedEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        events.forEach(event -> {
            out.writeBytes(event.json());
            out.write('\n');
        });
        return out.toByteArray();
    }

    /**
     * The status once it says caught up: Trident records a batch's commit in ZooKeeper after its states wrote the
     * counts, so on a loaded machine the counts can be complete a moment before the status can tell.
     */
    private static JsonNode caughtUp(Path file) {
        return Eventually.poll(() -> {
            try {
                return status(file);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, status -> status.path("caughtUp").asBoolean(), Duration.ofMinutes(1));
    }

    private static JsonNode status(Path file) throws Exception {
        return new ObjectMapper().readTree(run(file, "--json"));
    }

    private static String statusText(Path file) {
        return run(file);
    }

    private static String run(Path file, String... options) {
        Map<String, Object> trident = RealServices.stack().storm().transactionalConf();
        StringWriter out = new StringWriter();
        CommandLine tally = TallyCommand.commandLine().setOut(new PrintWriter(out));
        List<String> args = new ArrayList<>(List.of("status", "--config", file.toString(), "--zookeeper",
                "127.0.0.1:" + trident.get(Config.TRANSACTIONAL_ZOOKEEPER_PORT)));
        args.addAll(List.of(options));
        int exit = tally.execute(args.toArray(String[]::new));
        assertThat(exit).as("tally status exit code; output: " + out).isZero();
        return out.toString();
    }
}
