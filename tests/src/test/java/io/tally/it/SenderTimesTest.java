package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.bolts.ingest.BackfillSpan;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.it.support.CountTables;
import io.tally.it.support.HourKey;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.GeneratedEvent;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.state.forwarding.ForwardingFirstSeenState;
import io.tally.state.keyed.FirstSeenState;
import io.tally.testsupport.Eventually;
import io.tally.topology.StateWrapper;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.topology.FailedException;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #20 item 10, on the real servers: a record's times are the sender's, so a live topology holds them to the
 * time Tally first read the record. A copy of an event re-sent with its old times after its {@code messageId}'s claim
 * expired is not counted again; a far-future {@code receivedAt} writes into no future hour; a batch replayed long
 * after its first read decides as that read did; and a backfill of old exports, under a topology of its own, counts
 * them exactly.
 */
@ExtendWith(RealServices.class)
class SenderTimesTest {
    private static final Duration DRAIN = Duration.ofMinutes(2);
    /**
     * A live topology scaled down to seconds: 60 s lateness + 5 s tolerance + 5 s lag allowance = a 70 s window. The
     * lateness leaves a topology that starts slowly on a busy machine time to read its first event.
     */
    private static final long LATENESS_MS = 60_000;
    private static final long TOLERANCE_MS = 5_000;
    private static final Duration WINDOW = Duration.ofSeconds(70);

    /** A live topology reading a new one-partition topic {@code name} into a new keyspace. */
    private static TallyConfig live(String name) {
        String topic = name;
        String keyspace = TestKeyspaces.create(name.replace('-', '_'));
        TestTopologies.createTopic(topic, 1);
        IngestSettings d = IngestSettings.DEFAULTS;
        return TallyConfig.builder().name("it-" + name)
                .kafka(KafkaSpoutSettings.builder(RealServices.stack().kafka().bootstrapServers(), List.of(topic))
                        .build())
                .cassandra(TestKeyspaces.settings(keyspace))
                .ingest(new IngestSettings(d.maxRecordBytes(), d.maxDepth(), d.maxStringLength(), d.maxProperties(),
                        TOLERANCE_MS, d.rejectPayloadBytes(), LATENESS_MS))
                .lagAllowance(Duration.ofSeconds(5))
                .dedupWindow(WINDOW)
                .build();
    }

    private static KafkaEvents kafka(TallyConfig config) {
        return new KafkaEvents(RealServices.stack().kafka().bootstrapServers(),
                config.kafka().orElseThrow().topics().get(0), 1);
    }

    private static GeneratedEvent track(String messageId, String event, String user, Instant time, Instant receivedAt) {
        String json = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"" + user
                + "\",\"event\":\"" + event + "\",\"timestamp\":\"" + time + "\",\"receivedAt\":\"" + receivedAt + "\"}";
        return new GeneratedEvent(json.getBytes(StandardCharsets.UTF_8), event, time.toEpochMilli(), user, messageId);
    }

    /** Submits, and returns once the topology has counted a first event: it reads records as they come. */
    private static void submitAndWarmUp(TallyConfig config, org.apache.storm.generated.StormTopology topology,
            KafkaEvents kafka, Truth truth, CqlSession session) {
        TestTopologies.submit(config, topology);
        GeneratedEvent warmUp = track("warm-up", "App Opened", "u-0", Instant.now(), Instant.now());
        truth.add(warmUp);
        kafka.send(List.of(warmUp));
        CountTables.assertExact(session, config.cassandra().keyspace(), truth, DRAIN);
    }

    private static Instant latestRejectionHour(CqlSession session, String keyspace) {
        Instant latest = Instant.EPOCH;
        for (Row row : session.execute("SELECT hour FROM " + keyspace + ".rejected_counts_by_hour")) {
            latest = row.getInstant("hour").isAfter(latest) ? row.getInstant("hour") : latest;
        }
        return latest;
    }

    @Test
    void anOldCopyReSentAfterItsClaimExpiredAndAFarFutureReceiptAreNotCounted() throws Exception {
        TallyConfig config = live("sender-times");
        String keyspace = config.cassandra().keyspace();
        CqlSession session = TestKeyspaces.session();
        Truth truth = new Truth();
        try (KafkaEvents kafka = kafka(config)) {
            submitAndWarmUp(config, TallyTopology.build(config), kafka, truth, session);
            Instant sent = Instant.now();
            GeneratedEvent original = track("resent-1", "Order Completed", "u-1", sent, sent);
            Instant future = sent.plus(Duration.ofDays(30));
            GeneratedEvent fromTheFuture = track("future-1", "Order Completed", "u-2", future, future);
            truth.add(original);
            kafka.send(List.of(original, fromTheFuture));
            CountTables.assertExact(session, keyspace, truth, DRAIN);

            // The claim of "resent-1" lasts the 70 s window from its batch; well past it, the very same record again.
            Eventually.sleep(WINDOW.plusSeconds(10));
            GeneratedEvent later = track("later-1", "Signed Up", "u-3", Instant.now(), Instant.now());
            truth.add(later);
            kafka.send(List.of(original, later));
            CountTables.assertExact(session, keyspace, truth, DRAIN);

            Map<String, Long> rejected = Eventually.poll(() -> CountTables.rejectedPerReason(session, keyspace),
                    r -> r.values().stream().mapToLong(Long::longValue).sum() >= 2, DRAIN);
            assertThat(rejected).isEqualTo(Map.of("too_late", 1L, "received_in_future", 1L));
            assertThat(CountTables.hourly(session, keyspace))
                    .doesNotContainKey(HourKey.of("Order Completed", future.toEpochMilli()));
            assertThat(latestRejectionHour(session, keyspace)).isBefore(Instant.now().plus(Duration.ofHours(1)));
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    /**
     * Fails, once, the dedup state's commit of the batch holding {@code edge-} ids, after holding it for
     * {@link #HELD}: the replay then runs that much after the batch's first read.
     */
    private static final class SlowFailureOfTheEdgeBatch implements StateWrapper {
        private static final long serialVersionUID = 1L;
        static final Duration HELD = Duration.ofSeconds(20);
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public StateFactory wrap(String table, StateFactory factory) {
            if (!table.equals(TallyTopology.DEDUP_STATE)) {
                return factory;
            }
            return (StateFactory) (conf, metrics, partition, partitions) -> new Failing(
                    (FirstSeenState) factory.makeState(conf, metrics, partition, partitions));
        }

        private static final class Failing extends ForwardingFirstSeenState {
            private boolean edgeInBatch;

            Failing(FirstSeenState delegate) {
                super(delegate);
            }

            @Override
            public boolean firstSeen(String key, int route) {
                edgeInBatch |= key.contains("edge-");
                return super.firstSeen(key, route);
            }

            @Override
            public void beginCommit(Long txid) {
                edgeInBatch = false;
                super.beginCommit(txid);
            }

            @Override
            public void commit(Long txid) {
                super.commit(txid);
                if (edgeInBatch && FAILED.compareAndSet(false, true)) {
                    Eventually.sleep(HELD);
                    throw new FailedException("injected failure of the batch holding the edge events (test)");
                }
            }
        }
    }

    @Test
    void aBatchReplayedLongAfterItsFirstReadDecidesAsThatReadDid() throws Exception {
        TallyConfig config = live("sender-times-replay");
        String keyspace = config.cassandra().keyspace();
        CqlSession session = TestKeyspaces.session();
        Truth truth = new Truth();
        try (KafkaEvents kafka = kafka(config)) {
            submitAndWarmUp(config, TallyTopology.build(config, TallyTopology.Scope.FULL,
                    new SlowFailureOfTheEdgeBatch()), kafka, truth, session);
            // 50 s old when sent: on time at its first read (60 s allowed), too late by the clock at the replay.
            List<GeneratedEvent> edge = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Instant happened = Instant.now().minusSeconds(50);
                edge.add(track("edge-" + i, "Report Exported", "u-" + i, happened, happened));
            }
            edge.forEach(truth::add);
            kafka.send(edge);
            CountTables.assertExact(session, keyspace, truth, DRAIN);
            assertThat(SlowFailureOfTheEdgeBatch.FAILED).isTrue();
            assertThat(CountTables.rejectedPerReason(session, keyspace)).isEmpty();
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    @Test
    void aBackfillOfOldExportsCountsThemExactlyOnceUnderATopologyOfItsOwn() throws Exception {
        Path dir = TestDirectories.create("backfill-");
        String keyspace = TestKeyspaces.create("backfill");
        BackfillSpan january = new BackfillSpan(Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-04T00:00:00Z"));
        TallyConfig config = TallyConfig.builder().name("it-backfill-2026-01")
                .files(FileSpoutSettings.of(dir.toString(), "*.jsonl"))
                .cassandra(TestKeyspaces.settings(keyspace))
                .backfill(january)
                .dedupWindow(january.length().plus(TallyConfig.DEFAULT_LAG_ALLOWANCE))
                .build();
        CqlSession session = TestKeyspaces.session();
        Truth truth = new Truth();
        // Three hourly exports of January, each received when it happened; the second repeats 50 events of the
        // first (an export re-run), and the third holds one event from February.
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            Instant at = january.from().plus(Duration.ofMinutes(i));
            GeneratedEvent event = track("jan-" + i, i % 3 == 0 ? "Order Completed" : "Page Viewed", "u-" + (i % 97),
                    at, at.plusSeconds(2));
            truth.add(event);
            (i < 1_500 ? first : second).add(new String(event.json(), StandardCharsets.UTF_8));
            if (i < 50) {
                second.add(new String(event.json(), StandardCharsets.UTF_8));
            }
        }
        Instant february = Instant.parse("2026-02-02T00:00:00Z");
        String outside = new String(track("feb-1", "Page Viewed", "u-1", february, february).json(),
                StandardCharsets.UTF_8);
        try {
            Files.write(dir.resolve("2026-01-01-a.jsonl"), first);
            Files.write(dir.resolve("2026-01-02-b.jsonl"), second);
            Files.write(dir.resolve("2026-02-02-c.jsonl"), List.of(outside));
            TestTopologies.submit(config);
            CountTables.assertExact(session, keyspace, truth, DRAIN);
            assertThat(Eventually.poll(() -> CountTables.rejectedPerReason(session, keyspace), r -> !r.isEmpty(), DRAIN))
                    .isEqualTo(Map.of("outside_backfill_span", 1L));
        } finally {
            TestTopologies.killQuietly(config.name());
            TestDirectories.delete(dir);
        }
    }
}
