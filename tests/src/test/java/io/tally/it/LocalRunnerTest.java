package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.AggregateTruth;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.SegmentTruth;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.local.LocalRunner;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.local.sample.SampleEvents;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * The local runner as a new user runs it, in this JVM on the test servers (everything but starting them): with
 * {@code --keep-running} it counts what is produced after the sample, and a files directory holding duplicate
 * {@code messageId}s completes. Each run has its own topic, topology name and keyspace.
 */
@ExtendWith(RealServices.class)
class LocalRunnerTest {
    private static final int SAMPLE = SampleEvents.load().size();

    @Test
    void keepRunningCountsEventsProducedAfterTheSample() throws Exception {
        String keyspace = TestKeyspaces.create("runner_keep");
        String topic = "runner-keep-running";
        LocalRunner runner = runner(named("it-runner-keep", topic, keyspace), "--keep-running", "--no-collector",
                "--dashboard-port", "0");
        CompletableFuture<Integer> exit = start(runner);
        CqlSession session = TestKeyspaces.session();
        EventGenerator generator = new EventGenerator(22L, Instant.parse("2026-11-19T00:00:00Z"), 24, 1_000);
        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, 4)) {
            // Half while the sample is being counted, half once it is.
            Eventually.poll(() -> recordsIn(topic), n -> n >= SAMPLE, Duration.ofMinutes(1));
            kafka.send(Stream.generate(generator::next).limit(5_000).toList());
            awaitDone(exit, session, keyspace, SAMPLE + 5_000);
            kafka.send(Stream.generate(generator::next).limit(5_000).toList());
        }
        awaitDone(exit, session, keyspace, SAMPLE + 10_000);
        Eventually.sleep(Duration.ofSeconds(2));
        assertThat(recordsDone(session, keyspace)).isEqualTo(SAMPLE + 10_000);
        // The runner's dashboard reads the same tables and the runner's status.
        String status = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(runner.dashboardUrl().orElseThrow() + "api/status")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        com.fasterxml.jackson.databind.JsonNode read = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status);
        assertThat(read.at("/status/eventsCounted").asLong() + read.at("/status/rejected").asLong())
                .as(status).isEqualTo(SAMPLE + 10_000);

        runner.stop();
        assertThat(exit.get(2, TimeUnit.MINUTES)).isZero();
    }

    @Test
    void filesWithDuplicateMessageIdsComplete() throws Exception {
        String keyspace = TestKeyspaces.create("runner_files");
        Path dir = TestDirectories.create("it-runner-files-");
        EventGenerator generator = new EventGenerator(23L, Instant.parse("2026-11-19T00:00:00Z"), 24, 1_000);
        List<GeneratedEvent> events = Stream.generate(generator::next).limit(3_000).toList();
        // The second file repeats 500 events of the first (same messageId) before 1,000 of its own.
        TestDirectories.writeEvents(dir.resolve("a.jsonl"), events.subList(0, 2_000));
        TestDirectories.writeEvents(dir.resolve("b.jsonl"),
                concat(events.subList(1_500, 2_000), events.subList(2_000, 3_000)));
        LocalRunner runner = runner(named("it-runner-files", "runner-files", keyspace), "--files", dir.toString(),
                "--no-collector", "--no-dashboard", "--timeout-secs", "90");

        assertThat(start(runner).get(4, TimeUnit.MINUTES)).isZero();
        assertThat(recordsDone(TestKeyspaces.session(), keyspace)).isEqualTo(SAMPLE + 3_000);
        TestDirectories.delete(dir);
    }

    /**
     * The command line as a user types it ({@link LocalRunner#call()}, which also starts the S3 server of
     * {@code --s3} and closes the sessions at the end), on the test servers rather than servers of its own: a
     * configuration file, and the sample read from a bucket instead of Kafka.
     */
    @Test
    void commandLineWithAConfigAndS3CountsTheSampleExactly() throws Exception {
        String keyspace = "it_runner_config";
        Path dir = TestDirectories.create("it-runner-config-");
        Path file = dir.resolve("tally.yaml");
        // Addresses of a production cluster, which the runner replaces by its own servers'.
        Files.writeString(file, """
                topology: {name: it-runner-config}
                kafka:
                  bootstrap_servers: kafka-1.prod.invalid:9092
                  topics: [runner-config]
                  consumer: {security.protocol: SASL_SSL}
                cassandra:
                  contact_points: [cassandra-1.prod.invalid:9042]
                  local_datacenter: eu-west
                  keyspace: %s
                  replication: {class: NetworkTopologyStrategy, eu-west: "3"}
                transforms:
                  breakdown_properties: [path, product_id]
                segments:
                  - {name: buyers, rule: {event: Order Completed}}
                  - {name: daily_viewers, rule: {at_least: 4, per: day, where: {event: Product Viewed}}}
                """.formatted(keyspace));
        AggregateTruth counts = new AggregateTruth(List.of("path", "product_id"));
        SegmentTruth segments = new SegmentTruth(List.of(
                new SegmentTruth.Rule("buyers", (name, json) -> name.equals("Order Completed"), 1, 1),
                new SegmentTruth.Rule("daily_viewers", (name, json) -> name.equals("Product Viewed"), 4, 1)));
        EventGenerator sample = SampleEvents.generator();
        for (int i = 0; i < SAMPLE; i++) {
            GeneratedEvent event = sample.next();
            counts.add(event);
            segments.add(event);
        }

        LocalRunner runner = new LocalRunner();
        new CommandLine(runner).parseArgs("--config", file.toString(), "--no-collector", "--no-dashboard", "--s3",
                "--s3-port", "0", "--data-dir", dir.resolve("local").toString());
        runner.onRunningStack(RealServices.stack());
        assertThat(CompletableFuture.supplyAsync(() -> {
            try {
                return runner.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get(4, TimeUnit.MINUTES)).isZero();
        assertThat(recordsIn("runner-config")).as("records in the topic: the sample came from the bucket").isZero();

        CqlSession session = TestKeyspaces.session();
        assertThat(recordsDone(session, keyspace)).isEqualTo(SAMPLE);
        assertThat(AggregateTables.diff(counts.hours(), AggregateTables.read(session, keyspace,
                "event_counts_by_hour", List.of("event", "hour"), "count"))).as("event_counts_by_hour").isEmpty();
        assertThat(AggregateTables.diff(counts.propertyDays(), AggregateTables.read(session, keyspace,
                "property_counts_by_day", List.of("event", "property", "day", "value"), "count")))
                .as("property_counts_by_day").isEmpty();
        assertThat(AggregateTables.diff(segments.members(), AggregateTables.readRows(session, keyspace,
                "segment_members", List.of("segment", "user_id"), List.of("qualified_on", "last_activity", "events"))))
                .as("segment_members").isEmpty();
        TestDirectories.delete(dir);
    }

    /** Waits until {@code records} are done, asserting that the runner is still running then. */
    private static void awaitDone(CompletableFuture<Integer> exit, CqlSession session, String keyspace, long records) {
        long done = Eventually.poll(() -> exit.isDone() ? -1 : recordsDone(session, keyspace),
                n -> n < 0 || n >= records, Duration.ofMinutes(3));
        assertThat(exit).as("the runner, still running").isNotDone();
        assertThat(done).isEqualTo(records);
    }

    private static long recordsIn(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                RealServices.stack().kafka().bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> ends = IntStream.range(0, 4).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(ends).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        } catch (Exception e) {
            return 0; // the runner has not created the topic yet
        }
    }

    private static UnaryOperator<TallyConfig> named(String name, String topic, String keyspace) {
        return config -> config.toBuilder()
                .name(name)
                .kafka(KafkaSpoutSettings.builder(RealServices.stack().kafka().bootstrapServers(), List.of(topic))
                        .build())
                .cassandra(TestKeyspaces.settings(keyspace))
                .build();
    }

    private static LocalRunner runner(UnaryOperator<TallyConfig> names, String... args) {
        LocalRunner runner = new LocalRunner();
        new CommandLine(runner).parseArgs(args);
        return runner.adjustingConfig(names);
    }

    private static CompletableFuture<Integer> start(LocalRunner runner) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(RealServices.stack());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Records the topology has finished with: events counted (the all-events rows) and records rejected. */
    static long recordsDone(CqlSession session, String keyspace) {
        long done = 0;
        for (Row row : session.execute("SELECT event, count FROM " + keyspace + ".event_counts_by_hour")) {
            done += "*".equals(row.getString(0)) ? row.getLong(1) : 0;
        }
        for (Row row : session.execute("SELECT count FROM " + keyspace + ".rejected_counts_by_hour")) {
            done += row.getLong(0);
        }
        return done;
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }
}
