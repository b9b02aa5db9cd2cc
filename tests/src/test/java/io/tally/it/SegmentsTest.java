package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.FailOnce;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.ProducerRetries;
import io.tally.it.support.RealServices;
import io.tally.it.support.SegmentTruth;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.query.SegmentQueries;
import io.tally.query.Series;
import io.tally.state.schema.TallyTables;
import io.tally.testsupport.Eventually;
import io.tally.topology.StateWrapper;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every segment table against membership computed independently (see {@link SegmentTruth}) from a generated
 * three-day stream with producer duplicates, for every rule kind: event predicates with property and context
 * comparisons, a per-day threshold crossed within one batch and across batches, a rolling window, and a late event
 * that moves a member's entry day earlier — while the progress state and the daily entries each fail one batch
 * after writing it, so Trident replays those batches. Then a new segment is backfilled from the retained topic.
 */
@ExtendWith(RealServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SegmentsTest {
    private static final int PARTITIONS = 4;
    private static final Duration DRAIN = Duration.ofMinutes(3);
    private static final String PROGRESS = TallyTables.SEGMENT_PROGRESS.name();
    private static final String SIZES = TallyTables.SEGMENT_SIZES_BY_DAY.name();
    private static final String NAME = "it-segments";
    private static final String BACKFILL = "it-segments-backfill";

    /** The rules as an operator writes them; the truth below restates each by hand. */
    private static final String SEGMENTS_YAML = """
            kafka: {bootstrap_servers: unused, topics: [unused]}
            segments:
              - name: buyers
                rule: {event: Order Completed}
              - name: de_big_carts
                rule:
                  and:
                    - event: [Product Added, Order Completed]
                    - {field: properties.price, gte: 120}
                    - {field: context.location.country, equals: DE}
              - name: docs_on_web_or_pro
                rule:
                  or:
                    - and:
                        - {field: properties.path, prefix: /doc}
                        - not: {field: context.device.type, in: [ios, android]}
                    - {field: traits.plan, equals: pro}
              - name: cheap_clicks
                rule:
                  and:
                    - {field: event, equals: Product Clicked}
                    - {field: properties.price, lte: 5}
                    - {field: properties.price, gt: 0.5}
                    - {field: properties.price, lt: 199.5}
                    - {field: properties.currency, not_equals: EUR}
                    - {field: properties.coupon, exists: false}
                    - {field: context.ip, exists: true}
              - name: daily_viewers
                rule: {at_least: 4, per: day, where: {event: Product Viewed}}
              - name: steady_searchers
                rule: {at_least: 4, within_days: 2, where: {or: [{event: Product Clicked}, {event: Products Searched}]}}
            """;

    private static final List<SegmentTruth.Rule> TRUTH = List.of(
            new SegmentTruth.Rule("buyers", (name, json) -> name.equals("Order Completed"), 1, 1),
            new SegmentTruth.Rule("de_big_carts", (name, json) -> (name.equals("Product Added")
                    || name.equals("Order Completed")) && number(json, "properties", "price") >= 120
                    && "DE".equals(text(json, "context", "location", "country")), 1, 1),
            new SegmentTruth.Rule("docs_on_web_or_pro", (name, json) -> {
                String path = text(json, "properties", "path");
                String device = text(json, "context", "device", "type");
                return path != null && path.startsWith("/doc") && !"ios".equals(device) && !"android".equals(device)
                        || "pro".equals(text(json, "traits", "plan"));
            }, 1, 1),
            new SegmentTruth.Rule("cheap_clicks", (name, json) -> name.equals("Product Clicked")
                    && number(json, "properties", "price") <= 5 && number(json, "properties", "price") > 0.5, 1, 1),
            new SegmentTruth.Rule("daily_viewers", (name, json) -> name.equals("Product Viewed"), 4, 1),
            new SegmentTruth.Rule("steady_searchers",
                    (name, json) -> name.equals("Product Clicked") || name.equals("Products Searched"), 4, 2));

    private static final List<String> MEMBER_KEY = List.of("segment", "user_id");
    private static final List<String> MEMBERSHIP = List.of("qualified_on", "last_activity", "events");

    // What one run of the topology left, which each test below checks a part of, in order: the backfill comes last.
    private final SegmentTruth truth = new SegmentTruth(TRUTH);
    private final List<GeneratedEvent> produced = new ArrayList<>();
    private TallyConfig config;
    private String keyspace;
    private CqlSession session;

    /**
     * Sends the stream, with more arriving (and the threshold and late-event cases) while the first batches and their
     * forced replays run, then waits until the members and daily entries equal the truth.
     */
    @BeforeAll
    void runTheTopologyThroughDuplicatesLateEventsAndForcedReplays() throws Exception {
        String topic = "segment-events";
        keyspace = TestKeyspaces.create("segments");
        TestTopologies.createTopic(topic, PARTITIONS);
        // segment_progress is read below: flushed every second rather than every minute.
        config = TestTopologies.smallBatches(NAME, topic, keyspace).toBuilder()
                .userStateFlush(Duration.ofSeconds(1))
                .segments(TallyConfigLoader.withEnvironment(Map.of()).parse(SEGMENTS_YAML).segments())
                .build();
        EventGenerator generator = new EventGenerator(6006L, Instant.parse("2026-11-16T00:00:00Z"), 72, 2_000);
        Random random = new Random(61);
        List<GeneratedEvent> sent = new ArrayList<>();
        FailOnce faults = new FailOnce(Set.of(PROGRESS, SIZES), 3);
        session = TestKeyspaces.session();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, PARTITIONS)) {
            List<GeneratedEvent> first = ProducerRetries.next(generator, random, sent, 12_000);
            // Five views in a row: these users cross the daily threshold inside one batch.
            for (int user = 0; user < 8; user++) {
                for (int i = 0; i < 5; i++) {
                    first.add(viewed("burst-" + user, "2026-11-17T09:0" + i + ":00Z", null));
                }
            }
            // Two views now and two more in a later round: the threshold is crossed across batches.
            for (int user = 0; user < 8; user++) {
                for (int i = 0; i < 2; i++) {
                    first.add(viewed("across-" + user, "2026-11-18T10:0" + i + ":00Z", null));
                }
            }
            // Qualify on the 18th now; late events arriving later qualify them on the 16th instead.
            for (int user = 0; user < 6; user++) {
                for (int i = 0; i < 4; i++) {
                    first.add(viewed("mover-" + user, "2026-11-18T11:0" + i + ":00Z", null));
                }
            }
            first.forEach(truth::add);
            produced.addAll(first);
            kafka.send(first);
            TestTopologies.submit(config, TallyTopology.build(config, TallyTopology.Scope.FULL, faults));
            for (int round = 0; round < 4; round++) {
                List<GeneratedEvent> next = ProducerRetries.next(generator, random, sent, 3_000);
                if (round == 2) {
                    for (int user = 0; user < 8; user++) {
                        for (int i = 2; i < 4; i++) {
                            next.add(viewed("across-" + user, "2026-11-18T10:0" + i + ":00Z", null));
                        }
                    }
                    for (int user = 0; user < 6; user++) {
                        for (int i = 0; i < 4; i++) {
                            next.add(viewed("mover-" + user, "2026-11-16T08:0" + i + ":00Z", "2026-11-18T20:00:00Z"));
                        }
                    }
                }
                next.forEach(truth::add);
                produced.addAll(next);
                kafka.send(next);
                Eventually.sleep(Duration.ofMillis(500));
            }
        }
        Eventually.poll(() -> AggregateTables.readRows(session, keyspace, "segment_members", MEMBER_KEY, MEMBERSHIP),
                truth.members()::equals, DRAIN);
        Eventually.poll(() -> entered(session, keyspace), truth.entered()::equals, Duration.ofSeconds(30));
        Eventually.sleep(Duration.ofSeconds(3));
    }

    @AfterAll
    void stopTheTopologies() {
        TestTopologies.killQuietly(NAME, BACKFILL);
    }

    @Test
    @Order(1)
    void theRunReplayedEachFailedBatch() {
        assertThat(FailOnce.failures(PROGRESS)).as("forced replays of segment progress").isEqualTo(1);
        assertThat(FailOnce.failures(SIZES)).as("forced replays of segment sizes").isEqualTo(1);
    }

    /** The truth holds the cases the stream was built for, so that the tables' equality to it tests them. */
    @Test
    @Order(1)
    void theTruthHoldsEveryRuleKindsCases() {
        Map<List<String>, String> expectedMembers = truth.members();
        Map<String, Long> perSegment = new HashMap<>();
        expectedMembers.keySet().forEach(key -> perSegment.merge(key.get(0), 1L, Long::sum));
        assertThat(perSegment).as("every segment has members").hasSize(TRUTH.size());
        for (int user = 0; user < 8; user++) {
            assertThat(expectedMembers.get(List.of("daily_viewers", "burst-" + user))).startsWith("2026-11-17|");
            assertThat(expectedMembers.get(List.of("daily_viewers", "across-" + user)))
                    .isEqualTo("2026-11-18|2026-11-18T10:03:00Z|4");
        }
        for (int user = 0; user < 6; user++) {
            assertThat(expectedMembers.get(List.of("daily_viewers", "mover-" + user)))
                    .isEqualTo("2026-11-16|2026-11-18T11:03:00Z|8");
        }
    }

    /** One test per table, so that a table off the truth does not hide whether the others are exact. */
    @TestFactory
    @Order(2)
    Stream<DynamicTest> everySegmentTableEqualsTheTruth() {
        return Stream.of(
                DynamicTest.dynamicTest("segment_members", () -> assertThat(AggregateTables.diff(truth.members(),
                        AggregateTables.readRows(session, keyspace, "segment_members", MEMBER_KEY, MEMBERSHIP)))
                        .as("segment_members").isEmpty()),
                DynamicTest.dynamicTest("user_segments", () -> assertThat(AggregateTables.diff(truth.userSegments(),
                        AggregateTables.readRows(session, keyspace, "user_segments", List.of("user_id", "segment"),
                                MEMBERSHIP))).as("user_segments").isEmpty()),
                DynamicTest.dynamicTest(SIZES, () -> {
                    assertThat(AggregateTables.diff(truth.entered(), entered(session, keyspace)))
                            .as("segment_sizes_by_day").isEmpty();
                    assertThat(AggregateTables.read(session, keyspace, SIZES, List.of("segment", "day"), "entered")
                            .values()).as("no day has a negative number of entries").allMatch(n -> n >= 0);
                }),
                // segment_progress is written behind (aggregates.user_state_flush_ms): wait for the flush after the
                // last batch that changed it.
                DynamicTest.dynamicTest(PROGRESS, () -> assertThat(AggregateTables.diff(truth.matchingEvents(),
                        Eventually.poll(() -> AggregateTables.read(session, keyspace, PROGRESS, MEMBER_KEY, "events"),
                                truth.matchingEvents()::equals, Duration.ofSeconds(30))))
                        .as("segment_progress events").isEmpty()),
                DynamicTest.dynamicTest("segment_members buckets", () -> {
                    long buckets = session.execute("SELECT bucket FROM " + keyspace + ".segment_members").all()
                            .stream().map(row -> row.getInt(0)).distinct().count();
                    assertThat(buckets).as("members spread over the buckets").isEqualTo(TallyTables.SEGMENT_BUCKETS);
                }));
    }

    @Test
    @Order(3)
    void theQueriesAnswerFromTheTables() {
        assertQueriesAnswerFromTheTables(session, keyspace, truth);
    }

    @Test
    @Order(4)
    void aNewSegmentIsBackfilledFromTheRetainedTopic() {
        TestTopologies.killQuietly(NAME);
        assertBackfillOfANewSegment(config, session, keyspace, produced);
    }

    /**
     * A new segment backfilled as OPERATIONS.md says: a segments-only topology under its own name reads the topic from
     * its earliest offset, shares the de-duplication claims, and counts nothing but its segment.
     */
    private static void assertBackfillOfANewSegment(TallyConfig main, CqlSession session, String keyspace,
            List<GeneratedEvent> produced) {
        SegmentTruth truth = new SegmentTruth(List.of(new SegmentTruth.Rule("late_buyers",
                (name, json) -> name.equals("Order Completed"), 2, 3)));
        produced.forEach(truth::add);
        Map<List<String>, Long> countsBefore = AggregateTables.read(session, keyspace, "event_counts_by_day",
                List.of("event", "day"), "count");
        TallyConfig backfill = main.toBuilder().name(BACKFILL).segments(TallyConfigLoader.withEnvironment(Map.of())
                .parse("""
                        kafka: {bootstrap_servers: unused, topics: [unused]}
                        segments:
                          - {name: late_buyers, rule: {at_least: 2, within_days: 3, where: {event: Order Completed}}}
                        """).segments()).build();
        TestTopologies.submit(backfill, TallyTopology.build(backfill, TallyTopology.Scope.SEGMENTS_ONLY,
                StateWrapper.NONE));
        Map<List<String>, String> expected = truth.members();
        assertThat(expected).as("late buyers").hasSizeGreaterThan(50);
        Map<List<String>, String> backfilled = Eventually.poll(() -> segmentRows(session, keyspace, "late_buyers"),
                expected::equals, DRAIN);
        assertThat(AggregateTables.diff(expected, backfilled)).as("backfilled segment_members").isEmpty();
        Eventually.poll(() -> onlySegment(entered(session, keyspace), "late_buyers"), truth.entered()::equals,
                Duration.ofSeconds(30));
        assertThat(AggregateTables.diff(truth.entered(), onlySegment(entered(session, keyspace), "late_buyers")))
                .as("backfilled segment_sizes_by_day").isEmpty();
        assertThat(AggregateTables.read(session, keyspace, "event_counts_by_day", List.of("event", "day"), "count"))
                .as("nothing but the segment is counted again").isEqualTo(countsBefore);
    }

    private static Map<List<String>, String> segmentRows(CqlSession session, String keyspace, String segment) {
        return onlySegment(AggregateTables.readRows(session, keyspace, "segment_members", List.of("segment", "user_id"),
                List.of("qualified_on", "last_activity", "events")), segment);
    }

    private static <V> Map<List<String>, V> onlySegment(Map<List<String>, V> rows, String segment) {
        Map<List<String>, V> kept = new HashMap<>(rows);
        kept.keySet().removeIf(key -> !key.get(0).equals(segment));
        return kept;
    }

    /** {@code tally query}'s segment reads on the same known data. */
    private static void assertQueriesAnswerFromTheTables(CqlSession session, String keyspace, SegmentTruth truth) {
        SegmentQueries queries = new SegmentQueries(session, keyspace);
        List<String> viewers = truth.members().keySet().stream().filter(k -> k.get(0).equals("daily_viewers"))
                .map(k -> k.get(1)).sorted().toList();
        assertThat(queries.members("daily_viewers", 7).rows()).extracting(row -> row.get(0))
                .containsExactlyElementsOf(viewers.subList(0, 7));
        Instant from = Instant.parse("2026-11-16T00:00:00Z");
        Instant to = Instant.parse("2026-11-20T00:00:00Z");
        Series entered = queries.sizes("daily_viewers", from, to, false);
        for (Series.Point day : entered.points()) {
            assertThat(day.value()).as(day.label())
                    .isEqualTo(truth.entered().getOrDefault(List.of("daily_viewers", day.label()), 0L));
        }
        Series members = queries.sizes("daily_viewers", from.plus(Duration.ofDays(1)), to, true);
        assertThat(members.points().get(members.points().size() - 1).value()).isEqualTo(viewers.size());
        assertThat(members.points().get(0).value()).as("members by the end of the 17th, counting the 16th")
                .isEqualTo(entered.points().get(0).value() + entered.points().get(1).value());
        assertThat(queries.userSegments("mover-0").rows())
                .containsExactly(List.of("daily_viewers", "2026-11-16", "2026-11-18T11:03:00Z", "8"));
    }

    /** Daily entries, without the days a late event emptied again (stored as 0). */
    private static Map<List<String>, Long> entered(CqlSession session, String keyspace) {
        Map<List<String>, Long> entered = new HashMap<>(
                AggregateTables.read(session, keyspace, SIZES, List.of("segment", "day"), "entered"));
        entered.values().removeIf(n -> n == 0);
        return entered;
    }

    private static GeneratedEvent viewed(String user, String time, String receivedAt) {
        String messageId = "view-" + user + "-" + time;
        String json = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"" + user
                + "\",\"event\":\"Product Viewed\",\"timestamp\":\"" + time + "\",\"receivedAt\":\""
                + (receivedAt == null ? time : receivedAt) + "\",\"properties\":{\"product_id\":\"sku-1\"}}";
        return new GeneratedEvent(json.getBytes(StandardCharsets.UTF_8), "Product Viewed",
                Instant.parse(time).toEpochMilli(), user, messageId);
    }

    private static double number(JsonNode json, String... path) {
        JsonNode node = at(json, path);
        return node != null && node.isNumber() ? node.asDouble() : Double.NaN;
    }

    private static String text(JsonNode json, String... path) {
        JsonNode node = at(json, path);
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private static JsonNode at(JsonNode json, String... path) {
        JsonNode node = json;
        for (String step : path) {
            node = node == null ? null : node.get(step);
        }
        return node;
    }
}
