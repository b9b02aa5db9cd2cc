package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.BackgroundLoad;
import io.tally.it.support.CountTables;
import io.tally.it.support.HourKey;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The foundation's promise end to end: real Kafka → Storm Trident (LocalCluster) → real Cassandra, every
 * {@code (event, hour)} count equal to the count computed from the produced input, also after the topology
 * is killed and resubmitted mid-stream and after the whole LocalCluster is restarted mid-stream.
 */
@ExtendWith(RealServices.class)
class ExactlyOnceSliceTest {
    private static final int PARTITIONS = 4;
    private static final Duration DRAIN = Duration.ofMinutes(3);

    @Test
    void everyHourlyCountIsExactThroughTopologyKillAndClusterRestart() throws Exception {
        String topic = "slice-events";
        String keyspace = TestKeyspaces.create("slice");
        TestTopologies.createTopic(topic, PARTITIONS);
        TallyConfig config = TestTopologies.config("it-slice", topic, keyspace);
        EventGenerator generator = new EventGenerator(20261122L, Instant.parse("2026-11-17T00:00:00Z"), 96, 20_000);
        Truth truth = new Truth();
        CqlSession session = TestKeyspaces.session();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, PARTITIONS)) {
            // 1. A backlog of 100,000 events, then the topology reads it all.
            List<GeneratedEvent> backlog = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                GeneratedEvent event = generator.next();
                truth.add(event);
                backlog.add(event);
            }
            kafka.send(backlog);
            TestTopologies.submit(config);
            assertExactAfterDrain(session, keyspace, truth);

            // 2. Kill the topology while events arrive, submit it again.
            try (BackgroundLoad load = new BackgroundLoad(kafka, generator, truth, 60_000, 15_000)) {
                awaitProgressBeyond(session, keyspace, truth.events() + 5_000);
                RealServices.stack().storm().kill(config.name());
                TestTopologies.submit(config);
                load.awaitSent(DRAIN);
            }
            assertExactAfterDrain(session, keyspace, truth);

            // 3. Restart the whole LocalCluster (and its ZooKeeper) on the same data while events arrive.
            try (BackgroundLoad load = new BackgroundLoad(kafka, generator, truth, 60_000, 15_000)) {
                awaitProgressBeyond(session, keyspace, truth.events() + 5_000);
                RealServices.stack().restartStorm();
                TestTopologies.submit(config);
                load.awaitSent(DRAIN);
            }
            assertExactAfterDrain(session, keyspace, truth);
        } finally {
            TestTopologies.killQuietly(config.name());
        }
        assertThat(truth.events()).isEqualTo(220_000);
    }

    /** Waits until the counts equal the truth, then a while longer, and checks they still do (nothing doubled late). */
    private static void assertExactAfterDrain(CqlSession session, String keyspace, Truth truth) {
        Map<HourKey, Long> expected;
        synchronized (truth) {
            expected = truth.hourly();
        }
        Map<HourKey, Long> counted = Eventually.poll(() -> CountTables.hourly(session, keyspace),
                expected::equals, DRAIN);
        assertThat(CountTables.total(counted)).as("events counted").isEqualTo(CountTables.total(expected));
        assertThat(counted).isEqualTo(expected);
        Eventually.sleep(Duration.ofSeconds(3));
        assertThat(CountTables.hourly(session, keyspace)).isEqualTo(expected);
    }

    private static void awaitProgressBeyond(CqlSession session, String keyspace, long counted) {
        long total = Eventually.poll(() -> CountTables.total(CountTables.hourly(session, keyspace)),
                t -> t >= counted, DRAIN);
        assertThat(total).as("events counted before the failure is injected").isGreaterThanOrEqualTo(counted);
    }
}
