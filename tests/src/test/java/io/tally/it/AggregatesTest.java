package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.bolts.transform.TransformConfig;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.AggregateTruth;
import io.tally.it.support.FailOnce;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.KeyedStateLog;
import io.tally.it.support.ProducerRetries;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.query.Granularity;
import io.tally.query.QueryException;
import io.tally.query.Series;
import io.tally.query.SeriesQueries;
import io.tally.spouts.SpoutMetrics;
import io.tally.state.schema.SchemaApplier;
import io.tally.state.schema.TallyTables;
import io.tally.testsupport.Eventually;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every aggregate table against truth computed independently from a generated multi-day stream with producer
 * duplicates (same messageId, later, on another partition), late and out-of-order events, too-late events and many
 * users — while the de-duplication state and a count state each fail one batch after writing it, so Trident replays
 * those batches (with more data arriving, so a replay may hold different records than the first attempt).
 */
@ExtendWith(RealServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AggregatesTest {
    private static final int PARTITIONS = 4;
    private static final Duration DRAIN = Duration.ofMinutes(3);
    private static final List<String> BREAKDOWNS = List.of("path", "product_id");
    private static final long DAY = 86_400_000L;
    private static final String NAME = "it-aggregates";

    // What one run of the topology left, which each test below checks a part of.
    private final AggregateTruth truth = new AggregateTruth(BREAKDOWNS);
    private TallyConfig config;
    private String keyspace;
    private CqlSession session;
    private int tooLate;
    private SpoutMetrics.Totals spoutsBefore;

    /**
     * Sends the stream, with more arriving while the first batches and their forced replays run, then waits until
     * the minute counts and daily unique users equal the truth.
     */
    @BeforeAll
    void runTheTopologyThroughDuplicatesLateEventsAndForcedReplays() throws Exception {
        String topic = "aggregate-events";
        keyspace = TestKeyspaces.create("aggregates");
        TestTopologies.createTopic(topic, PARTITIONS);
        config = TestTopologies.smallBatches(NAME, topic, keyspace).toBuilder()
                .transforms(new TransformConfig(List.of(), BREAKDOWNS))
                .build();
        EventGenerator generator = new EventGenerator(5150L, Instant.parse("2026-11-16T00:00:00Z"), 72, 4_000);
        Random random = new Random(77);
        List<GeneratedEvent> sent = new ArrayList<>();
        FailOnce faults = new FailOnce(Set.of(TallyTopology.DEDUP_STATE, TallyTables.EVENT_COUNTS_BY_DAY.name()), 3);
        session = TestKeyspaces.session();
        spoutsBefore = SpoutMetrics.totals();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, PARTITIONS)) {
            List<GeneratedEvent> first = ProducerRetries.next(generator, random, sent, 30_000);
            first.forEach(truth::add);
            kafka.send(first);
            TestTopologies.submit(config, TallyTopology.build(config, TallyTopology.Scope.FULL, faults));
            CompletableFuture<Void> more = CompletableFuture.runAsync(() -> {
                for (int round = 0; round < 6; round++) {
                    List<GeneratedEvent> next = ProducerRetries.next(generator, random, sent, 5_000);
                    next.forEach(truth::add);
                    kafka.send(next);
                    Eventually.sleep(Duration.ofMillis(500));
                }
            });
            List<byte[]> late = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                // Two days late: accepted into its own past hour. Ten days late: rejected as too_late.
                boolean accepted = i % 4 != 0;
                GeneratedEvent event = lateEvent(i, accepted ? 2 * DAY : 10 * DAY);
                if (accepted) {
                    truth.add(event);
                } else {
                    tooLate++;
                }
                late.add(event.json());
            }
            more.get();
            kafka.sendPayloads(late);
        }
        Eventually.poll(() -> AggregateTables.read(session, keyspace, "event_counts_by_minute",
                List.of("event", "minute"), "count"), truth.minutes()::equals, DRAIN);
        Eventually.poll(() -> AggregateTables.read(session, keyspace, "unique_users_by_day",
                List.of("event", "day"), "users"), truth.uniqueUsers()::equals, DRAIN);
        Eventually.sleep(Duration.ofSeconds(3));
    }

    @AfterAll
    void stopTheTopology() {
        TestTopologies.killQuietly(NAME);
    }

    @Test
    void theRunHadDuplicatesAndReplayedEachFailedBatch() {
        assertThat(truth.duplicates()).as("duplicates produced").isGreaterThan(500);
        assertThat(FailOnce.failures(TallyTopology.DEDUP_STATE)).as("forced replays of dedup").isEqualTo(1);
        assertThat(FailOnce.failures(TallyTables.EVENT_COUNTS_BY_DAY.name())).as("forced replays of counts").isEqualTo(1);
        SpoutMetrics.Totals spouts = SpoutMetrics.totals();
        assertThat(spouts.replayedBatches() - spoutsBefore.replayedBatches()).as("replays the spouts saw").isPositive();
        assertThat(spouts.replayedRecords() - spoutsBefore.replayedRecords()).as("records replayed").isPositive();
    }

    /** One test per table, so that a table off the truth does not hide whether the others are exact. */
    @TestFactory
    Stream<DynamicTest> everyCountTableEqualsTheTruth() {
        return Stream.of(
                exact(truth.minutes(), "event_counts_by_minute", List.of("event", "minute"), "count"),
                exact(truth.hours(), "event_counts_by_hour", List.of("event", "hour"), "count"),
                exact(truth.days(), "event_counts_by_day", List.of("event", "day"), "count"),
                exact(truth.propertyHours(), "property_counts_by_hour",
                        List.of("event", "property", "hour", "value"), "count"),
                exact(truth.propertyDays(), "property_counts_by_day",
                        List.of("event", "property", "day", "value"), "count"),
                exact(truth.uniqueUsers(), "unique_users_by_day", List.of("event", "day"), "users"));
    }

    @Test
    void theKeyedStatesLoggedEachKeyOnce() {
        long members = truth.uniqueUsers().values().stream().mapToLong(Long::longValue).sum();
        assertThat(KeyedStateLog.keys(config.cassandra(), config.name() + "/" + TallyTopology.USER_DAYS)).hasSize((int) members);
        assertThat(KeyedStateLog.keys(config.cassandra(), config.name() + "/" + TallyTopology.DEDUP_STATE))
                .hasSize((int) truth.distinctMessages());
    }

    @Test
    void eventsTooLateAreCountedAsRejected() {
        Map<List<String>, Long> rejected = AggregateTables.read(session, keyspace, "rejected_counts_by_hour",
                List.of("reason"), "count");
        long tooLateCounted = session.execute("SELECT count FROM " + keyspace + ".rejected_counts_by_hour"
                + " WHERE reason = 'too_late' ALLOW FILTERING").all().stream().mapToLong(r -> r.getLong(0)).sum();
        assertThat(tooLateCounted).as("too_late rejections; all reasons: " + rejected).isEqualTo(tooLate);
    }

    @Test
    void theQueriesAnswerFromTheTables() throws Exception {
        assertQueriesAnswerFromTheTables(session, keyspace, truth);
    }

    /** {@code tally query}'s reads, and every query of deploy/queries.cql, on the same known data. */
    private static void assertQueriesAnswerFromTheTables(CqlSession session, String keyspace, AggregateTruth truth)
            throws Exception {
        SeriesQueries queries = new SeriesQueries(session, keyspace);
        Instant day = Instant.parse("2026-11-17T00:00:00Z");
        Series hourly = queries.counts("Order Completed", day, day.plus(Duration.ofDays(1)), Granularity.HOUR);
        assertThat(hourly.points()).hasSize(24);
        for (int h = 0; h < 24; h++) {
            String hour = day.plus(Duration.ofHours(h)).toString();
            assertThat(hourly.points().get(h).value()).as(hour)
                    .isEqualTo(truth.hours().getOrDefault(List.of("Order Completed", hour), 0L));
        }
        Series active = queries.uniqueUsers("*", Instant.parse("2026-11-16T00:00:00Z"), Instant.parse("2026-11-19T00:00:00Z"));
        assertThat(active.points()).extracting(Series.Point::label).containsExactly("2026-11-16", "2026-11-17", "2026-11-18");
        for (Series.Point point : active.points()) {
            assertThat(point.value()).isEqualTo(truth.uniqueUsers().get(List.of("*", point.label())));
        }
        Series paths = queries.breakdown("Page Viewed", "path", day, day.plus(Duration.ofDays(1)), Granularity.DAY);
        Map<String, Long> expectedPaths = new java.util.HashMap<>();
        truth.propertyDays().forEach((key, count) -> {
            if (key.get(0).equals("Page Viewed") && key.get(1).equals("path") && key.get(2).equals("2026-11-17")) {
                expectedPaths.put(key.get(3), count);
            }
        });
        assertThat(paths.points()).hasSize(expectedPaths.size());
        paths.points().forEach(p -> assertThat(p.value()).as(p.label()).isEqualTo(expectedPaths.get(p.label())));
        assertThatThrownBy(() -> queries.counts("No Such Event", day, day.plus(Duration.ofDays(1)), Granularity.HOUR))
                .isInstanceOf(QueryException.class).hasMessageContaining("no 'No Such Event' events");

        String script = Files.readString(Path.of("..", "deploy", "queries.cql"));
        for (String statement : SchemaApplier.fromCql(script).statements()) {
            if (!statement.startsWith("USE ")) {
                session.execute(statement.replaceAll("(FROM\\s+)([a-z_]+)", "$1" + keyspace + ".$2"));
            }
        }
        // The documented examples run as printed, against this test's keyspace instead of `tally`.
        java.util.regex.Matcher blocks = java.util.regex.Pattern.compile("```sql\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(Files.readString(Path.of("..", "docs", "tables-and-queries.md")));
        int readmeStatements = 0;
        while (blocks.find()) {
            for (String statement : SchemaApplier.fromCql(blocks.group(1)).statements()) {
                session.execute(statement.replace("tally.", keyspace + "."));
                readmeStatements++;
            }
        }
        assertThat(readmeStatements).as("CQL examples in docs/tables-and-queries.md").isGreaterThanOrEqualTo(8);
    }

    private DynamicTest exact(Map<List<String>, Long> expected, String table, List<String> keyColumns,
            String valueColumn) {
        return DynamicTest.dynamicTest(table, () -> {
            String diff = AggregateTables.diff(expected,
                    AggregateTables.read(session, keyspace, table, keyColumns, valueColumn));
            assertThat(diff).as(table + " against the truth").isEmpty();
        });
    }

    private static GeneratedEvent lateEvent(int i, long lateness) {
        long eventTime = Instant.parse("2026-11-14T06:00:00Z").toEpochMilli() + i * 61_000L;
        String user = "late-user-" + (i % 37);
        String messageId = "late-" + i;
        String json = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"" + user
                + "\",\"event\":\"Report Exported\",\"timestamp\":\"" + Instant.ofEpochMilli(eventTime)
                + "\",\"receivedAt\":\"" + Instant.ofEpochMilli(eventTime + lateness) + "\"}";
        return new GeneratedEvent(json.getBytes(StandardCharsets.UTF_8), "Report Exported", eventTime, user, messageId);
    }
}
