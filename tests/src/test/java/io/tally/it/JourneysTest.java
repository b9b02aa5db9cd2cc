package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import io.tally.bolts.ingest.BackfillSpan;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.FailOnce;
import io.tally.it.support.FunnelTruth;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.ProducerRetries;
import io.tally.it.support.RealServices;
import io.tally.it.support.RetentionTruth;
import io.tally.it.support.SegmentTruth;
import io.tally.it.support.SessionTruth;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.local.sample.HistoricSpan;
import io.tally.query.FunnelQueries;
import io.tally.query.SessionQueries;
import io.tally.state.journey.FunnelProgress;
import io.tally.state.journey.JourneyStateCodec;
import io.tally.state.schema.StepTimeBuckets;
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
import java.util.function.Supplier;
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
 * Every funnel and retention table against a brute force over what was produced (see {@link FunnelTruth},
 * {@link RetentionTruth}), from a generated three-day stream (event times in random order, producer duplicates) plus
 * users whose steps arrive in reverse order, users whose late first step or late start moves them a day earlier, a
 * user whose funnel becomes final and users who return weeks later — while the journey state and the step counts
 * each fail one batch after writing it, so Trident replays those batches. Sessions (per device type, web as
 * "other", the crafted events without context as "none") against {@link SessionTruth} over the same input.
 */
@ExtendWith(RealServices.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JourneysTest {
    private static final int PARTITIONS = 4;
    private static final Duration DRAIN = Duration.ofMinutes(3);
    private static final String JOURNEYS = TallyTables.USER_JOURNEYS.name();
    private static final String STEPS = TallyTables.FUNNEL_STEPS_BY_DAY.name();
    private static final String STEP_MS = TallyTables.FUNNEL_STEP_MS_BY_DAY.name();
    private static final String STEP_TIMES = TallyTables.FUNNEL_STEP_TIMES_BY_DAY.name();
    private static final String SESSIONS = TallyTables.SESSIONS_BY_DAY.name();
    private static final String NAME = "it-journeys";
    private static final String BACKFILL = "it-journeys-backfill";
    private static final String PROGRESS = TallyTables.SEGMENT_PROGRESS.name();

    /** {@code [segment, day]} → members who entered that day, days with none left out. */
    private static Map<List<String>, Long> segmentEntries(CqlSession session, String keyspace) {
        Map<List<String>, Long> entered = new java.util.HashMap<>(AggregateTables.read(session, keyspace,
                TallyTables.SEGMENT_SIZES_BY_DAY.name(), List.of("segment", "day"), "entered"));
        entered.values().removeIf(n -> n == 0);
        return entered;
    }

    private static final String FUNNELS_YAML = """
            kafka: {bootstrap_servers: unused, topics: [unused]}
            segments:
              - name: buyers
                rule: {event: Order Completed}
            funnels:
              - name: checkout
                window_days: 1
                steps:
                  - {event: Product Viewed}
                  - {event: Product Added}
                  - {event: Order Completed}
              - name: cheap_search
                window_days: 2
                steps:
                  - {event: Products Searched}
                  - and: [{event: Product Clicked}, {field: properties.price, lte: 100}]
              - name: german_buyers
                steps:
                  - {field: context.location.country, equals: DE}
                  - {event: Product Added}
                  - {event: Checkout Started}
                  - {event: Order Completed}
            retention:
              - name: signins
                start: {event: Signed Up}
                return: {event: Signed In}
                days: 3
                weeks: 2
              - name: buyers_back
                start: {event: Order Completed}
            sessions:
              gap_minutes: 20
              property: context.device.type
              values: [ios, android]
            """;

    private static final List<RetentionTruth.Definition> RETENTION_TRUTH = List.of(
            new RetentionTruth.Definition("signins", named("Signed Up"), named("Signed In"), 3, 2),
            new RetentionTruth.Definition("buyers_back", named("Order Completed"), null, 30, 12));

    private static final List<FunnelTruth.Funnel> TRUTH = List.of(
            new FunnelTruth.Funnel("checkout", List.of(named("Product Viewed"), named("Product Added"),
                    named("Order Completed")), 1),
            new FunnelTruth.Funnel("cheap_search", List.of(named("Products Searched"),
                    (name, json) -> name.equals("Product Clicked") && json.path("properties").path("price")
                            .isNumber() && json.path("properties").path("price").asDouble() <= 100), 2),
            new FunnelTruth.Funnel("german_buyers", List.of(
                    (name, json) -> "DE".equals(json.path("context").path("location").path("country").asText(null)),
                    named("Product Added"), named("Checkout Started"), named("Order Completed")), 7));

    // What one run of the topology left, which each test below checks a part of, in order: the backfill comes last.
    private final FunnelTruth truth = new FunnelTruth(TRUTH);
    private final RetentionTruth retention = new RetentionTruth(RETENTION_TRUTH);
    // Web sessions count as "other", the crafted events (no context) as "none".
    private final SessionTruth sessions = new SessionTruth(20 * 60_000L, List.of("context", "device", "type"),
            Set.of("ios", "android"));
    // A segment beside the journeys: the per-user stage then holds two write-behind states in one task.
    private final SegmentTruth buyers = new SegmentTruth(List.of(
            new SegmentTruth.Rule("buyers", (name, json) -> name.equals("Order Completed"), 1, 1)));
    private TallyConfig config;
    private String keyspace;
    private CqlSession session;

    /**
     * Sends the stream with its crafted out-of-order and late users, in rounds while the first batches and their
     * forced replays run, then waits until every journey table equals the truth.
     */
    @BeforeAll
    void runTheTopologyThroughOutOfOrderLateEventsAndForcedReplays() throws Exception {
        String topic = "journey-events";
        keyspace = TestKeyspaces.create("journeys");
        TestTopologies.createTopic(topic, PARTITIONS);
        TallyConfig parsed = TallyConfigLoader.withEnvironment(Map.of()).parse(FUNNELS_YAML);
        // Its crafted users start as early as 2 November, before the suite's historic span: a backfill of its own.
        config = HistoricSpan.backfill(TestTopologies.smallBatches(NAME, topic, keyspace)
                                .toBuilder(), new BackfillSpan(Instant.parse("2026-11-01T00:00:00Z"),
                                TestTopologies.HISTORIC.to()), TallyConfig.DEFAULT_DEDUP_WINDOW,
                        TallyConfig.DEFAULT_LAG_ALLOWANCE)
                .funnels(parsed.funnels()).retention(parsed.retention()).sessions(parsed.sessions().orElseThrow())
                .segments(parsed.segments())
                // segment_progress is read below: flushed every second rather than every minute.
                .userStateFlush(Duration.ofSeconds(1))
                .build();
        EventGenerator generator = new EventGenerator(2323L, Instant.parse("2026-11-16T00:00:00Z"), 72, 1_500);
        Random random = new Random(23);
        List<GeneratedEvent> sent = new ArrayList<>();
        FailOnce faults = new FailOnce(Set.of(JOURNEYS, STEPS, STEP_TIMES, SESSIONS, PROGRESS), 3);
        session = TestKeyspaces.session();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, PARTITIONS)) {
            List<GeneratedEvent> first = ProducerRetries.next(generator, random, sent, 12_000);
            for (int user = 0; user < 6; user++) {
                // The last step first: the user converts only once the earlier steps arrive, rounds later.
                first.add(track("reverse-" + user, "Order Completed", "2026-11-17T12:00:00Z", null));
                // Converted on the 18th for now; a late view in a later round moves them to the 17th.
                first.add(track("mover-" + user, "Product Viewed", "2026-11-18T10:00:00Z", null));
                first.add(track("mover-" + user, "Product Added", "2026-11-18T10:30:00Z", null));
                first.add(track("mover-" + user, "Order Completed", "2026-11-18T11:00:00Z", null));
            }
            // Events received weeks apart are sent in the order they were received (docs/journeys.md, Bounds): the
            // earliest first, at the head of the first batch, later ones in later rounds.
            List<GeneratedEvent> early = new ArrayList<>();
            // Entered and stopped on the 10th; an event nine days later puts the 10th beyond any late event.
            early.add(track("finished", "Product Viewed", "2026-11-10T09:00:00Z", null));
            early.add(track("finished", "Product Added", "2026-11-10T09:05:00Z", null));
            // Signed up on the 2nd, back in its first days, in weeks 1 and 2: daily, weekly and unbounded rows.
            for (int user = 0; user < 4; user++) {
                early.add(track("weekly-" + user, "Signed Up", "2026-11-02T08:00:00Z", null));
                early.add(track("weekly-" + user, "Signed In", "2026-11-0" + (3 + user) + "T08:00:00Z", null));
            }
            first.addAll(0, early);
            for (int user = 0; user < 4; user++) {
                // Signed up on the 18th and back on the 19th; a late sign-up in a later round moves the cohort.
                first.add(track("late-start-" + user, "Signed Up", "2026-11-18T08:00:00Z", null));
                first.add(track("late-start-" + user, "Signed In", "2026-11-19T08:00:00Z", null));
            }
            first.forEach(truth::add);
            first.forEach(retention::add);
            first.forEach(sessions::add);
            first.forEach(buyers::add);
            kafka.send(first);
            TestTopologies.submit(config, TallyTopology.build(config, TallyTopology.Scope.FULL, faults));
            for (int round = 0; round < 4; round++) {
                // A user's events received more than the horizon apart must reach the per-user stage in that order;
                // round-robin partitions do not keep it, so the crafted later events wait until the earlier ones are
                // counted (the generated ones all lie within the horizon of each other).
                if (round == 0) {
                    for (String day : List.of("1", "2", "3")) {
                        awaitRow(session, keyspace, List.of("signins", "2026-11-02", "day", day), 1L);
                    }
                    awaitRow(session, keyspace, List.of("signins", "2026-11-02", "day", "0"), 4L);
                } else if (round == 1) {
                    awaitRow(session, keyspace, List.of("signins", "2026-11-02", "week", "1"), 4L);
                } else if (round == 2) {
                    Eventually.poll(() -> read(session, keyspace, STEPS, "users"),
                            rows -> rows.containsKey(List.of("checkout", "2026-11-10", "2")), DRAIN);
                }
                List<GeneratedEvent> next = ProducerRetries.next(generator, random, sent, 3_000);
                for (int user = 0; user < 6; user++) {
                    if (round == 1) {
                        next.add(track("reverse-" + user, "Product Added", "2026-11-17T11:00:00Z", null));
                        next.add(track("mover-" + user, "Product Viewed", "2026-11-17T20:00:00Z",
                                "2026-11-18T20:00:00Z"));
                    } else if (round == 3) {
                        next.add(track("reverse-" + user, "Product Viewed", "2026-11-17T10:00:00Z", null));
                    }
                }
                for (int user = 0; user < 4 && round < 2; user++) {
                    next.add(round == 0 ? track("weekly-" + user, "Signed In", "2026-11-1" + user + "T08:00:00Z", null)
                            : track("weekly-" + user, "Signed In", "2026-11-17T08:00:00Z", null));
                }
                if (round == 2) {
                    next.add(track("finished", "Order Completed", "2026-11-19T09:00:00Z", null));
                    for (int user = 0; user < 4; user++) {
                        next.add(track("late-start-" + user, "Signed Up", "2026-11-16T23:00:00Z",
                                "2026-11-18T20:00:00Z"));
                    }
                }
                next.forEach(truth::add);
                next.forEach(retention::add);
                next.forEach(sessions::add);
                next.forEach(buyers::add);
                kafka.send(next);
                Eventually.sleep(Duration.ofMillis(500));
            }
        }
        Map<List<String>, Long> expected = truth.users();
        Eventually.poll(() -> read(session, keyspace, STEPS, "users"), expected::equals, DRAIN);
        Eventually.poll(() -> read(session, keyspace, STEP_MS, "total_ms"), truth.totalMillis()::equals,
                Duration.ofSeconds(30));
        Map<List<String>, Long> timeBuckets = truth.timeBuckets();
        Eventually.poll(() -> readTimes(session, keyspace), timeBuckets::equals, Duration.ofSeconds(30));
        Map<List<String>, Long> returned = retention.users();
        Eventually.poll(() -> retentionRows(session, keyspace), returned::equals, Duration.ofSeconds(30));
        Map<List<String>, Long> sessionRows = sessions.rows();
        Eventually.poll(() -> sessionRows(session, keyspace), sessionRows::equals, Duration.ofSeconds(30));
        Map<List<String>, Long> entered = buyers.entered();
        Eventually.poll(() -> segmentEntries(session, keyspace), entered::equals, Duration.ofSeconds(30));
        // segment_progress is written behind: it catches up within aggregates.user_state_flush_ms.
        Map<List<String>, Long> matching = buyers.matchingEvents();
        Eventually.poll(() -> AggregateTables.read(session, keyspace, PROGRESS, List.of("segment", "user_id"),
                "events"), matching::equals, Duration.ofSeconds(30));
        Eventually.sleep(Duration.ofSeconds(3));
    }

    @AfterAll
    void stopTheTopologies() {
        TestTopologies.killQuietly(NAME, BACKFILL);
    }

    @Test
    @Order(1)
    void theRunReplayedEachFailedBatch() {
        assertThat(FailOnce.failures(SESSIONS)).as("forced replays of sessions_by_day").isEqualTo(1);
        assertThat(FailOnce.failures(PROGRESS)).as("forced replays of segment_progress").isEqualTo(1);
        assertThat(FailOnce.failures(JOURNEYS)).as("forced replays of user_journeys").isEqualTo(1);
        assertThat(FailOnce.failures(STEPS)).as("forced replays of funnel_steps_by_day").isEqualTo(1);
        assertThat(FailOnce.failures(STEP_TIMES)).as("forced replays of " + STEP_TIMES).isEqualTo(1);
    }

    /** The truths hold the cases the stream was built for, so that the tables' equality to them tests them. */
    @Test
    @Order(1)
    void theTruthsHoldTheCraftedCases() {
        assertThat(buyers.entered()).as("buyers entered").isNotEmpty();
        assertThat(sessions.rows().keySet()).as("every stream has sessions")
                .anyMatch(key -> key.get(0).equals("ios")).anyMatch(key -> key.get(0).equals("android"))
                .anyMatch(key -> key.get(0).equals("other")).anyMatch(key -> key.get(0).equals("none"))
                .anyMatch(key -> key.get(2).equals("events") && Integer.parseInt(key.get(3)) >= 3)
                .anyMatch(key -> key.get(2).equals("length_s") && Integer.parseInt(key.get(3)) >= 600);
        Map<List<String>, Long> returned = retention.users();
        assertThat(returned).as("weekly rows").containsEntry(List.of("signins", "2026-11-02", "week", "2"), 4L)
                .containsEntry(List.of("signins", "2026-11-02", "week_or_later", "2"), 4L)
                .containsEntry(List.of("signins", "2026-11-02", "day", "1"), 1L)
                .containsEntry(List.of("signins", "2026-11-02", "day_or_later", "3"), 4L);
        assertThat(returned.get(List.of("signins", "2026-11-16", "day", "3"))).as("late sign-ups moved here")
                .isGreaterThanOrEqualTo(4L);
        assertThat(returned.keySet()).as("generated buyers come back")
                .anyMatch(key -> key.get(0).equals("buyers_back") && key.get(2).equals("day")
                        && !key.get(3).equals("0"));
        assertThat(truth.timeBuckets().keySet()).as("mover-0's 14.5 h to step 2 has its bucket").contains(List.of(
                "checkout", "2026-11-17", "2", String.valueOf(StepTimeBuckets.bucket(14 * 3_600_000L + 1_800_000L))));
        Map<List<String>, Long> expected = truth.users();
        for (String funnel : List.of("checkout", "cheap_search", "german_buyers")) {
            assertThat(expected.keySet()).as("%s has users at its last step", funnel)
                    .anyMatch(key -> key.get(0).equals(funnel) && Integer.parseInt(key.get(2))
                            == TRUTH.stream().filter(f -> f.name().equals(funnel)).findFirst().orElseThrow()
                            .steps().size());
        }
        long hour = 3_600_000L;
        for (int user = 0; user < 6; user++) {
            assertThat(truth.chain("checkout", "reverse-" + user)).as("reverse-%d", user).containsExactly(
                    millis("2026-11-17T10:00:00Z"), millis("2026-11-17T11:00:00Z"), millis("2026-11-17T12:00:00Z"));
            assertThat(truth.chain("checkout", "mover-" + user)).as("mover-%d", user).containsExactly(
                    millis("2026-11-17T20:00:00Z"), millis("2026-11-17T20:00:00Z") + 14 * hour + hour / 2,
                    millis("2026-11-18T11:00:00Z"));
        }
        assertThat(truth.chain("checkout", "finished")).hasSize(2);
    }

    /** One test per table, so that a table off the truth does not hide whether the others are exact. */
    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyJourneyTableEqualsTheTruth() {
        return Stream.of(
                exact("segment_sizes_by_day", buyers.entered(), () -> segmentEntries(session, keyspace)),
                exact(PROGRESS, buyers.matchingEvents(), () -> AggregateTables.read(session, keyspace, PROGRESS,
                        List.of("segment", "user_id"), "events")),
                exact(SESSIONS, sessions.rows(), () -> sessionRows(session, keyspace)),
                exact(RETENTION, retention.users(), () -> retentionRows(session, keyspace)),
                exact(STEPS, truth.users(), () -> read(session, keyspace, STEPS, "users")),
                exact(STEP_MS, truth.totalMillis(), () -> read(session, keyspace, STEP_MS, "total_ms")),
                exact(STEP_TIMES, truth.timeBuckets(), () -> readTimes(session, keyspace)));
    }

    private static DynamicTest exact(String table, Map<List<String>, Long> expected,
            Supplier<Map<List<String>, Long>> read) {
        return DynamicTest.dynamicTest(table,
                () -> assertThat(AggregateTables.diff(expected, read.get())).as(table).isEmpty());
    }

    @Test
    @Order(2)
    void aFinishedUserKeepsOnlyTheirChain() {
        FunnelProgress finished = journey(session, keyspace, "checkout", "finished");
        assertThat(finished.frozen()).as("the finished user keeps only their chain").isTrue();
        assertThat(finished.chain(3, 86_400_000L)).containsExactly(millis("2026-11-10T09:00:00Z"),
                millis("2026-11-10T09:05:00Z"));
    }

    @Test
    @Order(3)
    void theFunnelQueriesAnswerFromTheTables() throws Exception {
        assertQueryAnswersFromTheTables(session, keyspace, truth.users(), truth);
    }

    @Test
    @Order(3)
    void theSessionQueriesAnswerFromTheTables() throws Exception {
        assertSessionQueriesAnswerFromTheTables(session, keyspace, sessions.rows());
    }

    @Test
    @Order(4)
    void aBackfilledFunnelEqualsTheFunnelFromTheStart() throws Exception {
        TestTopologies.killQuietly(NAME);
        assertBackfillOfANewFunnelEqualsTheFunnelFromTheStart(config, session, keyspace);
    }

    /**
     * {@code tally query funnel} on the same known data: users per step exactly, and the median and p90 of the users'
     * exact step times (rank floor(q × (n - 1))) within the documented 2%.
     */
    private static void assertQueryAnswersFromTheTables(CqlSession session, String keyspace,
            Map<List<String>, Long> expected, FunnelTruth truth) throws java.io.IOException {
        FunnelQueries queries = new FunnelQueries(session, keyspace);
        Instant from = Instant.parse("2026-11-10T00:00:00Z");
        Instant to = Instant.parse("2026-11-20T00:00:00Z");
        FunnelQueries.Funnel checkout = queries.funnel("checkout", from, to);
        for (int step = 1; step <= 3; step++) {
            final int s = step;
            long users = expected.entrySet().stream()
                    .filter(e -> e.getKey().get(0).equals("checkout") && e.getKey().get(2).equals(String.valueOf(s)))
                    .mapToLong(Map.Entry::getValue).sum();
            assertThat(checkout.steps().get(step - 1).users()).as("step %d", step).isEqualTo(users);
        }
        int quantiles = 0;
        for (int step = 2; step <= 3; step++) {
            List<Long> times = new ArrayList<>();
            for (Map.Entry<List<String>, List<Long>> row : truth.stepTimes().entrySet()) {
                Instant day = java.time.LocalDate.parse(row.getKey().get(1)).atStartOfDay(java.time.ZoneOffset.UTC)
                        .toInstant();
                if (row.getKey().get(0).equals("checkout") && row.getKey().get(2).equals(String.valueOf(step))
                        && !day.isBefore(from) && day.isBefore(to)) {
                    times.addAll(row.getValue());
                }
            }
            times.sort(null);
            FunnelQueries.Step read = checkout.steps().get(step - 1);
            assertThat(read.timeBuckets().values().stream().mapToLong(Long::longValue).sum()).as("step %d", step)
                    .isEqualTo(times.size()).isEqualTo(read.users());
            for (double q : new double[] {0.5, 0.9}) {
                double exact = times.get((int) Math.floor(q * (times.size() - 1)));
                long estimate = (q == 0.5 ? read.medianMillis() : read.p90Millis()).orElseThrow();
                assertThat((double) Math.abs(estimate - exact)).as("step %d quantile %s of %s", step, q, exact)
                        .isLessThanOrEqualTo(StepTimeBuckets.RELATIVE_ACCURACY * exact + 0.5);
                quantiles++;
            }
        }
        assertThat(quantiles).isEqualTo(4);
        assertDocumentedMedianCqlAgrees(session, keyspace, queries);
    }

    /**
     * The median CQL of deploy/queries.cql, read as its comment says (running totals, bucket b standing for
     * (1.02 / 0.98)^b × 1.02 ms, -1 for 0 ms), gives the medians {@code tally query funnel} prints for that day.
     */
    private static void assertDocumentedMedianCqlAgrees(CqlSession session, String keyspace, FunnelQueries queries)
            throws java.io.IOException {
        String script = java.nio.file.Files.readString(java.nio.file.Path.of("..", "deploy", "queries.cql"));
        String cql = io.tally.state.schema.SchemaApplier.fromCql(script).statements().stream()
                .filter(statement -> statement.contains("FROM funnel_step_times_by_day")).findFirst().orElseThrow()
                .replaceAll("(FROM\\s+)([a-z_]+)", "$1" + keyspace + ".$2").replace("'2026-11-20'", "'2026-11-17'");
        Map<Integer, java.util.TreeMap<Integer, Long>> steps = new java.util.TreeMap<>();
        for (Row row : session.execute(cql)) {
            steps.computeIfAbsent(row.getInt("step"), s -> new java.util.TreeMap<>()).merge(row.getInt("bucket"),
                    row.getLong("users"), Long::sum);
        }
        assertThat(steps).as("documented median CQL rows").isNotEmpty();
        Instant day = Instant.parse("2026-11-17T00:00:00Z");
        List<FunnelQueries.Step> read = queries.byDay("checkout", day, day.plus(Duration.ofDays(1))).get(0).steps();
        steps.forEach((step, buckets) -> {
            long users = buckets.values().stream().mapToLong(Long::longValue).sum();
            long running = 0;
            double median = Double.NaN;
            for (Map.Entry<Integer, Long> bucket : buckets.entrySet()) {
                running += bucket.getValue();
                if (running > (users - 1) / 2.0) {
                    median = bucket.getKey() == -1 ? 0 : Math.pow(1.02 / 0.98, bucket.getKey()) * 1.02;
                    break;
                }
            }
            assertThat((double) read.get(step - 1).medianMillis().orElseThrow()).as("step %d", step)
                    .isCloseTo(median, org.assertj.core.data.Offset.offset(0.5 + 1e-9 * median));
        });
    }

    /**
     * The checkout funnel defined anew under another name and backfilled from the retained topic by a journeys-only
     * topology of its own (as segments are backfilled, deploy/OPERATIONS.md): its rows end equal to those of the
     * funnel counted from the start, and nothing else is counted again.
     */
    private static void assertBackfillOfANewFunnelEqualsTheFunnelFromTheStart(TallyConfig main, CqlSession session,
            String keyspace) {
        Map<List<String>, Long> counts = AggregateTables.read(session, keyspace, "event_counts_by_day",
                List.of("event", "day"), "count");
        Map<List<String>, Long> sessionsBefore = sessionRows(session, keyspace);
        Map<List<String>, Long> retentionBefore = retentionRows(session, keyspace);
        // Reading the whole retained topic at once, a user's events received days apart (the finished user's, nine
        // days) may arrive in any order: the backfill's lateness covers them, as docs/journeys.md (Bounds) advises.
        IngestSettings live = main.ingest();
        IngestSettings covering = new IngestSettings(live.maxRecordBytes(), live.maxDepth(), live.maxStringLength(),
                live.maxProperties(), live.futureToleranceMillis(), live.rejectPayloadBytes(),
                Duration.ofDays(14).toMillis(), live.maxMessageIdLength(), live.rejectTtlDays());
        TallyConfig backfill = main.toBuilder().name(BACKFILL).ingest(covering).retention(List.of()).sessions(null)
                .funnels(TallyConfigLoader.withEnvironment(Map.of()).parse("""
                        kafka: {bootstrap_servers: unused, topics: [unused]}
                        funnels:
                          - name: checkout_backfilled
                            window_days: 1
                            steps:
                              - {event: Product Viewed}
                              - {event: Product Added}
                              - {event: Order Completed}
                        """).funnels()).build();
        TestTopologies.submit(backfill, TallyTopology.build(backfill, TallyTopology.Scope.JOURNEYS_ONLY,
                StateWrapper.NONE));
        for (String table : List.of(STEPS, STEP_MS, STEP_TIMES)) {
            java.util.function.Supplier<Map<List<String>, Long>> rows = () -> table.equals(STEP_TIMES)
                    ? readTimes(session, keyspace) : read(session, keyspace, table,
                            table.equals(STEPS) ? "users" : "total_ms");
            Map<List<String>, Long> fromTheStart = funnelRows(rows.get(), "checkout", "checkout_backfilled");
            assertThat(fromTheStart).as(table).isNotEmpty();
            Map<List<String>, Long> backfilled = Eventually.poll(() -> funnelRows(rows.get(), "checkout_backfilled",
                    "checkout_backfilled"), fromTheStart::equals, DRAIN);
            assertThat(AggregateTables.diff(fromTheStart, backfilled)).as("backfilled " + table).isEmpty();
        }
        Eventually.sleep(Duration.ofSeconds(3));
        assertThat(AggregateTables.read(session, keyspace, "event_counts_by_day", List.of("event", "day"), "count"))
                .as("no event counted again").isEqualTo(counts);
        assertThat(sessionRows(session, keyspace)).as("no session counted again").isEqualTo(sessionsBefore);
        assertThat(retentionRows(session, keyspace)).as("no retention counted again").isEqualTo(retentionBefore);
    }

    /** The rows of {@code funnel}, keyed under {@code as}. */
    private static Map<List<String>, Long> funnelRows(Map<List<String>, Long> rows, String funnel, String as) {
        Map<List<String>, Long> kept = new HashMap<>();
        rows.forEach((key, n) -> {
            if (key.get(0).equals(funnel)) {
                List<String> renamed = new ArrayList<>(key);
                renamed.set(0, as);
                kept.put(List.copyOf(renamed), n);
            }
        });
        return kept;
    }

    /** {@code tally query sessions} and the sessions CQL of deploy/queries.cql on the same known data. */
    private static void assertSessionQueriesAnswerFromTheTables(CqlSession session, String keyspace,
            Map<List<String>, Long> truth) throws Exception {
        List<String> values = List.of("ios", "android", "other", "none");
        SessionQueries.Sessions read = new SessionQueries(session, keyspace).sessions(values,
                Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
        Map<String, Long> perDay = new java.util.TreeMap<>();
        truth.forEach((key, n) -> {
            if (key.get(2).equals("sessions")) {
                perDay.merge(key.get(1), n, Long::sum);
            }
        });
        assertThat(read.days().keySet()).extracting(java.time.LocalDate::toString)
                .containsExactlyElementsOf(perDay.keySet());
        perDay.forEach((day, n) -> assertThat(read.amount(java.time.LocalDate.parse(day), "sessions", 0)).as(day)
                .isEqualTo(n));
        long all = perDay.values().stream().mapToLong(Long::longValue).sum();
        assertThat(read.listing(SessionQueries.By.LENGTH, false).rows().stream()
                .mapToLong(row -> Long.parseLong(row.get(1))).sum()).as("length buckets hold every session")
                .isEqualTo(all);
        assertThat(AggregateTables.read(session, keyspace, SESSIONS, List.of("property_value", "day", "kind", "bucket"),
                "amount")).isNotEmpty();
        String script = java.nio.file.Files.readString(java.nio.file.Path.of("..", "deploy", "queries.cql"));
        String sessionsPart = script.substring(script.indexOf("-- Sessions (the sessions section"));
        int statements = 0;
        for (String statement : io.tally.state.schema.SchemaApplier.fromCql(sessionsPart).statements()) {
            String cql = statement.replaceAll("(FROM\\s+)([a-z_]+)", "$1" + keyspace + ".$2")
                    .replace("'all'", "'ios'").replace("'2026-11-20'", "'2026-11-17'");
            statements += session.execute(cql).all().isEmpty() ? 0 : 1;
        }
        assertThat(statements).as("sessions queries of deploy/queries.cql with answers").isEqualTo(2);
    }

    private static FunnelProgress journey(CqlSession session, String keyspace, String funnel, String user) {
        Row row = session.execute("SELECT state FROM " + keyspace + "." + JOURNEYS
                + " WHERE definition = ? AND bucket = ? AND user_id = ?", funnel, TallyTables.segmentBucket(user), user)
                .one();
        return (FunnelProgress) JourneyStateCodec.fromBytes(row.getByteBuffer("state"));
    }

    private static final String RETENTION = TallyTables.RETENTION_BY_DAY.name();

    private static void awaitRow(CqlSession session, String keyspace, List<String> row, long users) {
        Eventually.poll(() -> retentionRows(session, keyspace), rows -> Long.valueOf(users).equals(rows.get(row)), DRAIN);
    }

    /** {@code retention_by_day} keyed {@code [retention, cohort, kind, period]}, without emptied rows. */
    private static Map<List<String>, Long> retentionRows(CqlSession session, String keyspace) {
        Map<List<String>, Long> rows = new HashMap<>(AggregateTables.read(session, keyspace, RETENTION,
                List.of("retention", "cohort", "kind", "period"), "users"));
        rows.values().removeIf(n -> n == 0);
        return rows;
    }

    /** {@code sessions_by_day} keyed {@code [property_value, day, kind, bucket]}, without emptied rows. */
    private static Map<List<String>, Long> sessionRows(CqlSession session, String keyspace) {
        Map<List<String>, Long> rows = new HashMap<>(AggregateTables.read(session, keyspace, SESSIONS,
                List.of("property_value", "day", "kind", "bucket"), "amount"));
        rows.values().removeIf(n -> n == 0);
        return rows;
    }

    /** A table keyed {@code [funnel, day, step]}, without rows a late event emptied again (stored as 0). */
    private static Map<List<String>, Long> read(CqlSession session, String keyspace, String table, String column) {
        Map<List<String>, Long> rows = new HashMap<>(AggregateTables.read(session, keyspace, table,
                List.of("funnel", "day", "step"), column));
        rows.values().removeIf(n -> n == 0);
        return rows;
    }

    /** {@code funnel_step_times_by_day} keyed {@code [funnel, day, step, bucket]}, without emptied rows. */
    private static Map<List<String>, Long> readTimes(CqlSession session, String keyspace) {
        Map<List<String>, Long> rows = new HashMap<>(AggregateTables.read(session, keyspace, STEP_TIMES,
                List.of("funnel", "day", "step", "bucket"), "users"));
        rows.values().removeIf(n -> n == 0);
        return rows;
    }

    private static java.util.function.BiPredicate<String, JsonNode> named(String event) {
        return (name, json) -> name.equals(event);
    }

    private static long millis(String time) {
        return Instant.parse(time).toEpochMilli();
    }

    private static GeneratedEvent track(String user, String event, String time, String receivedAt) {
        String messageId = "funnel-" + user + "-" + event.replace(' ', '-') + "-" + time;
        String json = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"" + user
                + "\",\"event\":\"" + event + "\",\"timestamp\":\"" + time + "\",\"receivedAt\":\""
                + (receivedAt == null ? time : receivedAt) + "\",\"properties\":{\"product_id\":\"sku-1\"}}";
        return new GeneratedEvent(json.getBytes(StandardCharsets.UTF_8), event, Instant.parse(time).toEpochMilli(),
                user, messageId);
    }
}
