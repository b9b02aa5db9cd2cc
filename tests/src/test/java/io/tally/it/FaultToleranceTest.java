package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.AggregateTruth;
import io.tally.it.support.BackgroundLoad;
import io.tally.it.support.Eventually;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.local.sample.EventGenerator;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.state.cassandra.internal.StateMetrics;
import io.tally.topology.config.TallyConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing lost and nothing doubled through the outages production brings, while a producer writes at a steady
 * rate: Cassandra stopped for 20 s and started again, the Kafka broker restarted, the topology killed and
 * submitted again. After each fault the pipeline drains by itself and every count table (minute, hour, day, per
 * event and over all events) and the distinct users equal the truth computed from what was produced. Prints one
 * row per fault: events sent, state calls failed (each makes Trident replay a batch), time to recover, mismatches.
 */
@ExtendWith(RealServices.class)
class FaultToleranceTest {
    private static final Duration DRAIN = Duration.ofMinutes(5);
    private static final int EVENTS_PER_FAULT = 20_000;
    private static final int RATE = 2_000;

    private record Outcome(String fault, long eventsSent, long failedStateCalls, double recoverSeconds,
            int mismatches) {
    }

    @FunctionalInterface
    private interface Fault {
        void inject() throws Exception;
    }

    @Test
    void everyTableIsExactAfterEachOutage() throws Exception {
        String topic = "fault-events";
        String keyspace = TestKeyspaces.create("faults");
        TestTopologies.createTopic(topic, 4);
        TallyConfig config = TestTopologies.config("it-faults", topic, keyspace).toBuilder()
                .kafka(KafkaSpoutSettings.builder(RealServices.stack().kafka().bootstrapServers(), List.of(topic))
                        .maxPollRecords(2_000).build())
                .build();
        EventGenerator generator = new EventGenerator(2718L, Instant.parse("2026-11-21T00:00:00Z"), 48, 3_000);
        AggregateTruth truth = new AggregateTruth(List.of());
        CqlSession session = TestKeyspaces.session();
        List<Outcome> outcomes = new ArrayList<>();
        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, 4)) {
            TestTopologies.submit(config);
            outcomes.add(underLoad("none (baseline)", kafka, generator, truth, session, keyspace, () -> { }));
            outcomes.add(underLoad("Cassandra stopped 20 s, restarted", kafka, generator, truth, session, keyspace,
                    () -> RealServices.stack().restartCassandra(Duration.ofSeconds(20))));
            outcomes.add(underLoad("Kafka broker stopped 5 s, restarted", kafka, generator, truth, session, keyspace,
                    () -> RealServices.stack().restartKafka(Duration.ofSeconds(5))));
            outcomes.add(underLoad("topology killed and resubmitted", kafka, generator, truth, session, keyspace,
                    () -> {
                        RealServices.stack().storm().kill(config.name());
                        TestTopologies.submit(config);
                    }));
        } finally {
            TestTopologies.killQuietly(config.name());
            System.out.println("| fault | events sent | failed state calls (replays) | recovered after fault (s) | mismatches |");
            System.out.println("|---|---|---|---|---|");
            outcomes.forEach(o -> System.out.printf("| %s | %,d | %d | %.1f | %d |%n", o.fault(), o.eventsSent(),
                    o.failedStateCalls(), o.recoverSeconds(), o.mismatches()));
        }
        assertThat(outcomes).hasSize(4).allSatisfy(o -> assertThat(o.mismatches()).as(o.fault()).isZero());
    }

    /** Produces {@link #EVENTS_PER_FAULT} events at a steady rate, injects the fault a few seconds in, drains. */
    private static Outcome underLoad(String name, KafkaEvents kafka, EventGenerator generator, AggregateTruth truth,
            CqlSession session, String keyspace, Fault fault) throws Exception {
        long failedBefore = StateMetrics.totals().failedCalls();
        try (BackgroundLoad load = new BackgroundLoad(kafka, generator, truth::add, EVENTS_PER_FAULT, RATE)) {
            Eventually.sleep(Duration.ofSeconds(3));
            fault.inject();
            long recovered = System.nanoTime();
            load.awaitSent(DRAIN);
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
            return new Outcome(name, truth.distinctMessages(), StateMetrics.totals().failedCalls() - failedBefore,
                    recoverSeconds, mismatches);
        }
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
    private static <T> Supplier<Map<List<String>, Long>> readOrEmpty(Supplier<Map<List<String>, Long>> read) {
        return () -> {
            try {
                return read.get();
            } catch (RuntimeException e) {
                return Map.of();
            }
        };
    }
}
