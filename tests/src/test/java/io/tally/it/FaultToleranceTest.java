package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.AggregateTruth;
import io.tally.it.support.BackgroundLoad;
import io.tally.it.support.FunnelTruth;
import io.tally.it.support.HeapPeak;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.SessionTruth;
import io.tally.it.support.TcpFaultProxy;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.TridentProgress;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.local.server.LocalTopologyProcess;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.state.cassandra.CassandraStateMetrics;
import io.tally.state.schema.TallyTables;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing lost and nothing doubled through the outages production brings, while a producer writes at a steady
 * rate: Cassandra stopped for 20 s and started again; Cassandra slow, slower than the driver's request timeout, and
 * its connections reset (all three through a TCP proxy between the topology and Cassandra); the Kafka broker
 * restarted; the topology killed and submitted again; and the whole LocalCluster JVM killed with SIGKILL and started
 * again on the same ZooKeeper data. After each
 * fault the pipeline drains by itself and every count table (minute, hour, day, per event and over all events) and
 * the distinct users equal the truth computed from what was produced. Prints one row per fault.
 *
 * <p>The LocalCluster crash is a test of its own: every other fault runs the topology in the suite's shared
 * LocalCluster, inside this JVM, which cannot be killed without killing the test; the crash runs a LocalCluster in a
 * child JVM with its own ZooKeeper directory, on a topic and keyspace of its own.
 */
@ExtendWith(RealServices.class)
class FaultToleranceTest {
    private static final Duration DRAIN = Duration.ofMinutes(5);
    private static final int EVENTS_PER_FAULT = 20_000;
    private static final int RATE = 2_000;
    private static final int PARTITIONS = 4;
    private static final int MAX_POLL_RECORDS = 2_000;
    private static final Duration CASSANDRA_DOWN = Duration.ofSeconds(20);
    /** 25 s of load: the producer writes through the whole Cassandra outage, so the spout has records to pull. */
    private static final int EVENTS_DURING_CASSANDRA_OUTAGE = 50_000;
    /**
     * Added to every chunk each way, so a request takes about 0.6 s longer: slow, yet well inside the driver's 10 s
     * request timeout. The batch slows down; nothing should fail or be retried.
     */
    private static final Duration SLOW_CHUNK_DELAY = Duration.ofMillis(300);
    /**
     * A request takes about 12 s, beyond the driver's 10 s request timeout: state calls fail by timeout while the
     * connection stays up, and the batch is replayed once requests are fast again. (A batch reads before it writes, so
     * what times out is mostly its first read; a write applied after its timeout was not seen in the runs.)
     */
    private static final Duration TIMED_OUT_CHUNK_DELAY = Duration.ofSeconds(6);
    private static final Duration SLOW_FOR = Duration.ofSeconds(20);
    private static final Duration CONNECTIONS_RESET_FOR = Duration.ofSeconds(15);

    /**
     * One fault's row. {@code failedStateCalls} and {@code replayedBatches} are empty when the topology ran in another
     * JVM, whose counters this one cannot read.
     */
    private record Outcome(String fault, long eventsSent, OptionalLong failedStateCalls, OptionalLong replayedBatches,
            double recoverSeconds, int mismatches) {
    }

    /** What the spout and the heap did while Cassandra was down. */
    private record CassandraOutage(long recordsReadBySpout, long recordsProduced, long heapPeakMiB, long heapMaxMiB) {
    }

    /** What one test produces into and reads back from. */
    private record Pipeline(KafkaEvents kafka, EventGenerator generator, AggregateTruth truth, CqlSession session,
            String keyspace, boolean stateInThisJvm, Consumer<GeneratedEvent> alsoProduced) {
    }

    @FunctionalInterface
    private interface Fault {
        void inject() throws Exception;
    }

    @Test
    void everyTableIsExactAfterEachOutage() throws Exception {
        String topic = "fault-events";
        String keyspace = TestKeyspaces.create("faults");
        TestTopologies.createTopic(topic, PARTITIONS);
        EventGenerator generator = new EventGenerator(2718L, Instant.parse("2026-11-21T00:00:00Z"), 48, 3_000);
        AggregateTruth truth = new AggregateTruth(List.of());
        List<Outcome> outcomes = new ArrayList<>();
        AtomicReference<CassandraOutage> outage = new AtomicReference<>();
        long connectionsReset = 0;
        TallyConfig config = null;
        try (TcpFaultProxy proxy = TcpFaultProxy.start(RealServices.stack().cassandra().contactPoint());
                KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic,
                        PARTITIONS)) {
            // The topology reaches Cassandra through the proxy; the checker and the schema go to Cassandra directly.
            config = TestTopologies.config("it-faults", topic, keyspace).toBuilder()
                    .kafka(KafkaSpoutSettings.builder(RealServices.stack().kafka().bootstrapServers(), List.of(topic))
                            .maxPollRecords(MAX_POLL_RECORDS).build())
                    .cassandra(TestKeyspaces.settings(keyspace).toBuilder()
                            .contactPoints(List.of(proxy.hostAndPort())).build())
                    .build();
            TallyConfig submitted = config;
            Pipeline pipeline = new Pipeline(kafka, generator, truth, TestKeyspaces.session(), keyspace, true,
                    event -> { });
            TestTopologies.submit(config);
            try {
                try (TridentProgress progress = new TridentProgress(RealServices.stack().storm().transactionalConf(),
                        config)) {
                    outcomes.add(underLoad("none (baseline)", pipeline, EVENTS_PER_FAULT, () -> { }));
                    outcomes.add(underLoad("Cassandra stopped 20 s, restarted", pipeline,
                            EVENTS_DURING_CASSANDRA_OUTAGE, () -> RealServices.stack().restartCassandra(
                                    () -> outage.set(observeOutage(progress, truth, CASSANDRA_DOWN)))));
                }
                outcomes.add(underLoad("Cassandra slow: +300 ms per chunk each way (proxy), 20 s", pipeline,
                        EVENTS_PER_FAULT, () -> slowFor(proxy, SLOW_CHUNK_DELAY)));
                outcomes.add(underLoad(
                        "Cassandra slower than the request timeout: +6 s per chunk each way (proxy), 20 s", pipeline,
                        EVENTS_PER_FAULT, () -> slowFor(proxy, TIMED_OUT_CHUNK_DELAY)));
                long resetBefore = proxy.connectionsReset();
                outcomes.add(underLoad("Cassandra connections reset, new ones too for 15 s (proxy)", pipeline,
                        EVENTS_PER_FAULT, () -> {
                            proxy.resetConnections();
                            try {
                                Eventually.sleep(CONNECTIONS_RESET_FOR);
                            } finally {
                                proxy.passThrough();
                            }
                        }));
                connectionsReset = proxy.connectionsReset() - resetBefore;
                System.out.printf("Connections reset at the proxy: %d%n", connectionsReset);
                outcomes.add(underLoad("Kafka broker stopped 5 s, restarted", pipeline, EVENTS_PER_FAULT,
                        () -> RealServices.stack().restartKafka(Duration.ofSeconds(5))));
                outcomes.add(underLoad("topology killed and resubmitted", pipeline, EVENTS_PER_FAULT, () -> {
                    RealServices.stack().storm().kill(submitted.name());
                    TestTopologies.submit(submitted);
                }));
            } finally {
                // Before the proxy closes, so the topology never runs against a closed port.
                TestTopologies.killQuietly(config.name());
            }
        } finally {
            printTable(outcomes);
            CassandraOutage measured = outage.get();
            if (measured != null) {
                System.out.printf("While Cassandra was down (%d s): the spout read %,d records of the %,d produced"
                        + " meanwhile (at most max_spout_pending %d x %,d records x %d partitions = %,d);"
                        + " heap peak of the JVM running the worker %,d MiB of %,d MiB.%n",
                        CASSANDRA_DOWN.toSeconds(), measured.recordsReadBySpout(), measured.recordsProduced(),
                        config.batch().maxSpoutPending(), MAX_POLL_RECORDS, PARTITIONS, spoutReadBound(config),
                        measured.heapPeakMiB(), measured.heapMaxMiB());
            }
        }
        assertThat(outcomes).hasSize(7).allSatisfy(o -> assertThat(o.mismatches()).as(o.fault()).isZero());
        // Each fault really reached the topology: a fault that missed it (say a driver bypassing the proxy) would
        // leave these rows looking exact without proving anything.
        for (int faulted : new int[] {1, 3, 4}) {
            Outcome o = outcomes.get(faulted);
            assertThat(o.failedStateCalls().getAsLong()).as(o.fault() + ": failed state calls").isPositive();
            assertThat(o.replayedBatches().getAsLong()).as(o.fault() + ": replays").isPositive();
        }
        assertThat(connectionsReset).as("connections reset at the proxy").isPositive();
        // Trident starts no batch beyond max_spout_pending while none commits, and a transactional replay re-reads
        // the same offsets: whatever the outage's length, the spout pulls at most that many batches' worth.
        assertThat(outage.get().recordsReadBySpout()).isLessThanOrEqualTo(spoutReadBound(config));
        assertThat(outage.get().recordsProduced()).as("records produced during the outage, above the bound")
                .isGreaterThan(spoutReadBound(config));
    }

    @Test
    void everyTableIsExactAfterTheLocalClusterJvmIsKilled() throws Exception {
        String topic = "crash-events";
        String keyspace = TestKeyspaces.create("crash");
        TestTopologies.createTopic(topic, PARTITIONS);
        Path dir = TestDirectories.create("local-cluster-crash-");
        Path configFile = dir.resolve("tally.yaml");
        TestTopologies.writeConfigFile(configFile, "it-crash", 1, topic, MAX_POLL_RECORDS, keyspace);
        // The per-user pass's funnels and sessions go through the kill too, against a brute force over what was sent.
        Files.writeString(configFile, """
                funnels:
                  - name: view_then_buy
                    window_days: 1
                    steps: [{event: Product Viewed}, {event: Order Completed}]
                sessions: {gap_minutes: 30, property: context.device.type, values: [ios]}
                """, StandardOpenOption.APPEND);
        // No write-behind flush within the test: the per-user state at the kill is in keyed_value_log alone, so the
        // restart's funnels and sessions are exact only if the restore brings it back.
        Files.writeString(configFile, Files.readString(configFile).replace("aggregates: {",
                "aggregates: {user_state_flush_ms: 3600000, "));
        FunnelTruth funnel = new FunnelTruth(List.of(new FunnelTruth.Funnel("view_then_buy",
                List.of((name, json) -> name.equals("Product Viewed"), (name, json) -> name.equals("Order Completed")),
                1)));
        SessionTruth sessions = new SessionTruth(30 * 60_000L, List.of("context", "device", "type"), Set.of("ios"));
        TallyConfig config = TallyConfigLoader.withSystemEnvironment().load(configFile);
        EventGenerator generator = new EventGenerator(3141L, Instant.parse("2026-11-21T00:00:00Z"), 48, 3_000);
        AggregateTruth truth = new AggregateTruth(List.of());
        List<Outcome> outcomes = new ArrayList<>();
        AtomicReference<LocalTopologyProcess> storm = new AtomicReference<>(
                LocalTopologyProcess.start(dir.resolve("zookeeper"), configFile, dir.resolve("local-cluster.log")));
        long[] nextTxid = new long[2]; // before the kill, right after the restart
        long[] heldAtKill = new long[2]; // the per-user state's log rows and table rows
        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, PARTITIONS)) {
            Pipeline pipeline = new Pipeline(kafka, generator, truth, TestKeyspaces.session(), keyspace, false,
                    event -> {
                        funnel.add(event);
                        sessions.add(event);
                    });
            // Committed batches first, so that the kill finds txids and offsets in ZooKeeper to continue from.
            outcomes.add(underLoad("none (baseline, LocalCluster in a child JVM)", pipeline, EVENTS_PER_FAULT / 2,
                    () -> { }));
            outcomes.add(underLoad("LocalCluster JVM killed -9, restarted on the same ZooKeeper data", pipeline,
                    EVENTS_PER_FAULT, () -> {
                        nextTxid[0] = nextTxidToCommit(storm.get(), config);
                        heldAtKill[0] = rowCount(keyspace, "keyed_value_log WHERE store = '" + config.name() + "/"
                                + TallyTables.USER_JOURNEYS.name() + "'");
                        heldAtKill[1] = rowCount(keyspace, TallyTables.USER_JOURNEYS.name());
                        storm.get().kill();
                        storm.set(storm.get().startAgain());
                        nextTxid[1] = nextTxidToCommit(storm.get(), config);
                    }));
            CqlSession session = pipeline.session();
            Map<List<String>, Long> steps = funnel.users();
            Eventually.poll(readOrEmpty(() -> nonZero(AggregateTables.read(session, keyspace, "funnel_steps_by_day",
                    List.of("funnel", "day", "step"), "users"))), steps::equals, DRAIN);
            Map<List<String>, Long> sessionRows = sessions.rows();
            Eventually.poll(readOrEmpty(() -> nonZero(AggregateTables.read(session, keyspace, "sessions_by_day",
                    List.of("property_value", "day", "kind", "bucket"), "amount"))), sessionRows::equals, DRAIN);
            assertThat(steps).as("funnel rows through the kill").isNotEmpty();
            assertThat(AggregateTables.diff(steps, nonZero(AggregateTables.read(session, keyspace,
                    "funnel_steps_by_day", List.of("funnel", "day", "step"), "users")))).as("funnel_steps_by_day")
                    .isEmpty();
            assertThat(AggregateTables.diff(sessionRows, nonZero(AggregateTables.read(session, keyspace,
                    "sessions_by_day", List.of("property_value", "day", "kind", "bucket"), "amount"))))
                    .as("sessions_by_day").isEmpty();
        } finally {
            storm.get().close();
            printTable(outcomes);
            System.out.printf("Trident's next txid to commit: %d before the kill, %d after the restart.%n", nextTxid[0],
                    nextTxid[1]);
            TestDirectories.delete(dir);
        }
        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o.mismatches()).as(o.fault()).isZero());
        assertThat(heldAtKill[0]).as("keyed_value_log rows of user_journeys at the kill").isPositive();
        assertThat(heldAtKill[1]).as("user_journeys rows at the kill").isZero();
        // A ZooKeeper started afresh would begin again at txid 1 against rows holding higher txids.
        assertThat(nextTxid[0]).isGreaterThan(1);
        assertThat(nextTxid[1]).isGreaterThanOrEqualTo(nextTxid[0]);
    }

    private static long rowCount(String keyspace, String tableAndCondition) {
        return TestKeyspaces.session().execute("SELECT count(*) FROM " + keyspace + "." + tableAndCondition).one()
                .getLong(0);
    }

    /** The rows of a journey table without those a late event emptied again. */
    private static Map<List<String>, Long> nonZero(Map<List<String>, Long> rows) {
        Map<List<String>, Long> kept = new HashMap<>(rows);
        kept.values().removeIf(n -> n == 0);
        return kept;
    }

    private static long nextTxidToCommit(LocalTopologyProcess storm, TallyConfig config) {
        try (TridentProgress progress = new TridentProgress(storm.transactionalConf(), config)) {
            return progress.nextTxidToCommit();
        }
    }

    private static void slowFor(TcpFaultProxy proxy, Duration perChunk) {
        proxy.delay(perChunk);
        try {
            Eventually.sleep(SLOW_FOR);
        } finally {
            proxy.passThrough();
        }
    }

    /** The records Trident may pull while no batch commits: max_spout_pending full batches. */
    private static long spoutReadBound(TallyConfig config) {
        return (long) config.batch().maxSpoutPending() * MAX_POLL_RECORDS * PARTITIONS;
    }

    /** Waits out an outage of {@code length}, recording how many records the spout pulled and the heap's peak. */
    private static CassandraOutage observeOutage(TridentProgress progress, AggregateTruth truth, Duration length) {
        try (HeapPeak heap = new HeapPeak()) {
            long readBefore = progress.recordsRead();
            long producedBefore = truth.distinctMessages();
            Eventually.sleep(length);
            return new CassandraOutage(progress.recordsRead() - readBefore, truth.distinctMessages() - producedBefore,
                    heap.peakMiB(), heap.maxMiB());
        }
    }

    /** Produces {@code events} at a steady rate, injects the fault a few seconds in, drains. */
    private static Outcome underLoad(String name, Pipeline pipeline, int events, Fault fault) throws Exception {
        AggregateTruth truth = pipeline.truth();
        long failedBefore = CassandraStateMetrics.totals().failedCalls();
        long replayedBefore = SpoutMetrics.totals().replayedBatches();
        Consumer<GeneratedEvent> produced = event -> {
            truth.add(event);
            pipeline.alsoProduced().accept(event);
        };
        try (BackgroundLoad load = new BackgroundLoad(pipeline.kafka(), pipeline.generator(), produced, events,
                RATE)) {
            Eventually.sleep(Duration.ofSeconds(3));
            fault.inject();
            long recovered = System.nanoTime();
            load.awaitSent(DRAIN);
            CqlSession session = pipeline.session();
            String keyspace = pipeline.keyspace();
            Map<List<String>, Long> minutes = truth.minutes();
            Eventually.poll(readOrEmpty(() -> AggregateTables.read(session, keyspace, "event_counts_by_minute",
                    List.of("event", "minute"), "count")), minutes::equals, DRAIN);
            Eventually.poll(readOrEmpty(() -> AggregateTables.read(session, keyspace, "unique_users_by_day",
                    List.of("event", "day"), "users")), truth.uniqueUsers()::equals, DRAIN);
            double recoverSeconds = (System.nanoTime() - recovered) / 1e9;
            Eventually.sleep(Duration.ofSeconds(2));
            int mismatches = mismatches(minutes, session, keyspace, "event_counts_by_minute", List.of("event", "minute"),
                    "count")
                    + mismatches(truth.hours(), session, keyspace, "event_counts_by_hour", List.of("event", "hour"), "count")
                    + mismatches(truth.days(), session, keyspace, "event_counts_by_day", List.of("event", "day"), "count")
                    + mismatches(truth.uniqueUsers(), session, keyspace, "unique_users_by_day", List.of("event", "day"),
                            "users");
            OptionalLong failedCalls = pipeline.stateInThisJvm()
                    ? OptionalLong.of(CassandraStateMetrics.totals().failedCalls() - failedBefore)
                    : OptionalLong.empty();
            OptionalLong replays = pipeline.stateInThisJvm()
                    ? OptionalLong.of(SpoutMetrics.totals().replayedBatches() - replayedBefore)
                    : OptionalLong.empty();
            return new Outcome(name, truth.distinctMessages(), failedCalls, replays, recoverSeconds, mismatches);
        }
    }

    private static String inThisJvm(OptionalLong count) {
        return count.isPresent() ? String.valueOf(count.getAsLong()) : "n/a (other JVM)";
    }

    /**
     * The per-fault table. Failed state calls are the calls that failed a batch; replays observed are the batches the
     * spout then emitted again ({@code tally.spout.*.replayed_batches}).
     */
    private static void printTable(List<Outcome> outcomes) {
        System.out.println("| fault | events sent | failed state calls | replays observed | recovered after fault (s)"
                + " | mismatches |");
        System.out.println("|---|---|---|---|---|---|");
        outcomes.forEach(o -> System.out.printf("| %s | %,d | %s | %s | %.1f | %d |%n", o.fault(), o.eventsSent(),
                inThisJvm(o.failedStateCalls()),
                inThisJvm(o.replayedBatches()), o.recoverSeconds(), o.mismatches()));
    }

    /** Keys whose stored value differs from the truth (missing, extra or wrong), with the differences printed. */
    private static int mismatches(Map<List<String>, Long> expected, CqlSession session, String keyspace, String table,
            List<String> keys, String value) {
        Map<List<String>, Long> actual = AggregateTables.read(session, keyspace, table, keys, value);
        int differing = AggregateTables.differingKeys(expected, actual).size();
        if (differing > 0) {
            System.out.println(table + ": " + AggregateTables.diff(expected, actual));
        }
        return differing;
    }

    /** Reads that fail while the driver reconnects after an outage count as "not there yet". */
    private static Supplier<Map<List<String>, Long>> readOrEmpty(Supplier<Map<List<String>, Long>> read) {
        return () -> {
            try {
                return read.get();
            } catch (RuntimeException e) {
                return Map.of();
            }
        };
    }
}
