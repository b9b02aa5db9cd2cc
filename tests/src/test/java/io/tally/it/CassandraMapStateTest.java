package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.CountTables;
import io.tally.it.support.HourKey;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.state.cassandra.CassandraMapStateFactory;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.CassandraStateMetrics;
import io.tally.state.cassandra.LongCodec;
import io.tally.state.cassandra.MapTable;
import io.tally.state.schema.TallyTables;
import io.tally.testsupport.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.storm.topology.FailedException;
import org.apache.storm.trident.operation.builtin.Count;
import org.apache.storm.trident.state.CombinerValueUpdater;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.state.map.MapState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Cassandra-backed opaque map state on the real Cassandra, driven the way Trident drives it. */
@ExtendWith(RealServices.class)
class CassandraMapStateTest {
    private static final long HOUR = 3_600_000L;
    private static final long DAY_START = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();

    private static String keyspace;
    private static CassandraSettings settings;
    /** The known-keys tests' own keyspace: the other tests read every row of theirs. */
    private static String knownKeyspace;
    private static CassandraSettings knownSettings;

    @BeforeAll
    static void schema() {
        keyspace = TestKeyspaces.create("state");
        settings = TestKeyspaces.settings(keyspace);
        knownKeyspace = TestKeyspaces.create("knownkeys");
        knownSettings = TestKeyspaces.settings(knownKeyspace);
    }

    @Test
    void replayedBatchCountsOnceAndNextBatchAddsOn() {
        MapState<Long> state = newState(CassandraMapStateFactory.opaque(settings, TallyTables.EVENT_COUNTS_BY_HOUR));
        // 30 hours across two days, so one batch spans two partitions and uses the IN read path.
        List<List<Object>> keys = new ArrayList<>();
        List<Long> deltas = new ArrayList<>();
        Map<HourKey, Long> expected = new HashMap<>();
        for (int h = 0; h < 30; h++) {
            keys.add(List.of("Order Completed", DAY_START + h * HOUR));
            deltas.add((long) h + 1);
            expected.put(new HourKey("Order Completed", DAY_START + h * HOUR), (long) h + 1);
        }

        applyBatch(state, 7L, keys, deltas);
        // Trident replays txid 7 (say its commit was lost); a fresh state has no cache to hide behind.
        applyBatch(newState(CassandraMapStateFactory.opaque(settings, TallyTables.EVENT_COUNTS_BY_HOUR)
                .withCacheEntries(0)), 7L, keys, deltas);
        assertThat(CountTables.hourly(session(), keyspace)).isEqualTo(expected);

        applyBatch(state, 8L, keys.subList(0, 1), List.of(100L));
        expected.merge(new HourKey("Order Completed", DAY_START), 100L, Long::sum);
        assertThat(CountTables.hourly(session(), keyspace)).isEqualTo(expected);
    }

    /**
     * A state with known keys reads only the rows that exist, once its scan is done, and its counts are those of a
     * state that reads every key: rows written before it started (by another state partition), rows it wrote itself,
     * and a replay of its batch by a fresh partition that never saw the batch.
     */
    @Test
    void knownKeysSkipReadsOfAbsentRowsAndStayExact() {
        String event = "Known Keys";
        Map<HourKey, Long> expected = new HashMap<>();
        List<List<Object>> before = hourKeys(event, 0, 10);
        List<Long> firstDeltas = new ArrayList<>();
        for (int h = 0; h < before.size(); h++) {
            firstDeltas.add((long) h + 1);
            expected.put(new HourKey(event, DAY_START + h * HOUR), (long) h + 1);
        }
        applyBatch(newState(CassandraMapStateFactory.opaque(knownSettings, TallyTables.EVENT_COUNTS_BY_HOUR)), 1L,
                before, firstDeltas);

        MapState<Long> known = knownKeysState();
        // Ten hours that exist and ten that do not: only the ten are read.
        List<List<Object>> keys = hourKeys(event, 0, 20);
        List<Long> hundreds = new ArrayList<>();
        keys.forEach(key -> hundreds.add(100L));
        long rowsRead = CassandraStateMetrics.totals().rowsRead();
        applyBatch(known, 2L, keys, hundreds);
        assertThat(CassandraStateMetrics.totals().rowsRead() - rowsRead).as("rows read for 10 existing and 10 new keys")
                .isEqualTo(10);
        for (int h = 0; h < 20; h++) {
            expected.merge(new HourKey(event, DAY_START + h * HOUR), 100L, Long::sum);
        }
        assertThat(eventCounts(event)).isEqualTo(expected);

        // Trident replays batch 2 on a fresh partition (a restart after the writes, before the commit was recorded).
        applyBatch(knownKeysState(), 2L, keys, hundreds);
        assertThat(eventCounts(event)).isEqualTo(expected);

        // Keys the state wrote itself after its scan are read again, not taken for new.
        List<List<Object>> later = hourKeys(event, 20, 25);
        List<Long> ones = new ArrayList<>();
        later.forEach(key -> ones.add(1L));
        applyBatch(known, 3L, later, ones);
        applyBatch(known, 4L, later, ones);
        later.forEach(key -> expected.put(new HourKey(event, (Long) key.get(1)), 2L));
        assertThat(eventCounts(event)).isEqualTo(expected);
    }

    /**
     * With a recent period, the known keys answer only for recent buckets: a key of an older bucket is read whether
     * or not a row holds it, a new key of a recent bucket is not.
     */
    @Test
    void knownKeysAnswerOnlyForRecentBuckets() {
        long thisHour = System.currentTimeMillis() / HOUR * HOUR;
        MapState<Long> state = knownKeysState(Duration.ofDays(2), thisHour + HOUR);
        List<List<Object>> old = hourKeys("Old Buckets", 0, 5);
        List<List<Object>> recent = List.of(List.of("Recent Buckets", thisHour), List.of("Recent Buckets",
                thisHour - HOUR));
        List<List<Object>> keys = new ArrayList<>(old);
        keys.addAll(recent);
        List<Long> ones = new ArrayList<>();
        keys.forEach(key -> ones.add(1L));
        long rowsRead = CassandraStateMetrics.totals().rowsRead();
        applyBatch(state, 1L, keys, ones);
        assertThat(CassandraStateMetrics.totals().rowsRead() - rowsRead).as("rows read: the old buckets' only")
                .isEqualTo(old.size());
        assertThat(eventCounts("Recent Buckets")).isEqualTo(Map.of(new HourKey("Recent Buckets", thisHour), 1L,
                new HourKey("Recent Buckets", thisHour - HOUR), 1L));
    }

    /**
     * With a recent period, the scan reads the rows of the partitions that may hold recent buckets (those starting
     * after the cutoff and each event's last one before it), not the table's history, and the counts stay exact.
     */
    @Test
    void scanOfRecentBucketsReadsOnlyThePartitionsThatMayHoldThem() {
        CassandraSettings scanSettings = TestKeyspaces.settings(TestKeyspaces.create("knownscan"));
        String event = "Long History";
        List<List<Object>> old = hourKeys(event, 0, 72);
        long thisHour = System.currentTimeMillis() / HOUR * HOUR;
        List<List<Object>> recent = List.of(List.of(event, thisHour - HOUR), List.of(event, thisHour));
        List<List<Object>> written = new ArrayList<>(old);
        written.addAll(recent);
        List<Long> ones = new ArrayList<>();
        written.forEach(key -> ones.add(1L));
        applyBatch(newState(CassandraMapStateFactory.opaque(scanSettings, TallyTables.EVENT_COUNTS_BY_HOUR)), 1L,
                written, ones);
        long recentDays = recent.stream().map(key -> Math.floorDiv((Long) key.get(1), 24 * HOUR)).distinct().count();
        long partitions = 3 + recentDays;
        long lastOldDayRows = 24;

        // Until its scan is done the state reads the absent probe key (one row each time); the probe that adopts
        // the scan's keys reports the scan's rows and reads nothing itself; the next reads nothing at all.
        MapState<Long> state = newState(CassandraMapStateFactory.opaque(scanSettings,
                TallyTables.EVENT_COUNTS_BY_HOUR).withCacheEntries(0).withKnownKeys(null, Duration.ofDays(2)));
        List<Long> probeReads = new ArrayList<>();
        Eventually.poll(() -> {
            long rowsRead = CassandraStateMetrics.totals().rowsRead();
            state.multiGet(List.of(List.of("Never Sent", thisHour + HOUR)));
            probeReads.add(CassandraStateMetrics.totals().rowsRead() - rowsRead);
            return probeReads.get(probeReads.size() - 1);
        }, read -> read == 0, Duration.ofSeconds(30));
        assertThat(probeReads.get(probeReads.size() - 2))
                .as("rows the scan read: the partition list, the last old day's rows and the recent rows")
                .isEqualTo(partitions + lastOldDayRows + recent.size());
        // None when the scan was done before the first probe.
        assertThat(probeReads.subList(0, probeReads.size() - 2)).as("probes before the scan was done")
                .allSatisfy(read -> assertThat(read).isEqualTo(1L));

        List<Long> twos = new ArrayList<>();
        written.forEach(key -> twos.add(2L));
        applyBatch(state, 2L, written, twos);
        Map<HourKey, Long> expected = new HashMap<>();
        written.forEach(key -> expected.put(new HourKey(event, (Long) key.get(1)), 3L));
        assertThat(CountTables.hourly(session(), scanSettings.keyspace())).isEqualTo(expected);
    }

    /** A known-keys state with no cache (every key goes to Cassandra or the known keys), once its scan is done. */
    private static MapState<Long> knownKeysState() {
        return knownKeysState(null, DAY_START);
    }

    private static MapState<Long> knownKeysState(Duration recent, long absentBucket) {
        MapState<Long> state = newState(CassandraMapStateFactory.opaque(knownSettings,
                TallyTables.EVENT_COUNTS_BY_HOUR).withCacheEntries(0).withKnownKeys(null, recent));
        List<List<Object>> absent = List.of(List.of("Never Sent", absentBucket));
        Eventually.poll(() -> {
            long rowsRead = CassandraStateMetrics.totals().rowsRead();
            state.multiGet(absent);
            return CassandraStateMetrics.totals().rowsRead() - rowsRead;
        }, read -> read == 0, Duration.ofSeconds(30));
        return state;
    }

    private static List<List<Object>> hourKeys(String event, int fromHour, int toHour) {
        List<List<Object>> keys = new ArrayList<>();
        for (int h = fromHour; h < toHour; h++) {
            keys.add(List.of(event, DAY_START + h * HOUR));
        }
        return keys;
    }

    private static Map<HourKey, Long> eventCounts(String event) {
        Map<HourKey, Long> counts = new HashMap<>(CountTables.hourly(session(), knownKeyspace));
        counts.keySet().removeIf(key -> !key.event().equals(event));
        return counts;
    }

    /**
     * A write-behind state keeps its values out of the table until it flushes, logs each batch as one row, and a run
     * that starts after a crash carries on from the logged values: a replay of the crashed batch counts once, its
     * first flush writes every value, and the next run to start deletes the log rows the table now holds.
     */
    @Test
    void writeBehindStateRestoresUnflushedValuesAndItsLogEmptiesOnceTheyAreWritten() {
        String writeBehindKeyspace = TestKeyspaces.create("writebehind");
        CassandraSettings writeBehind = TestKeyspaces.settings(writeBehindKeyspace);
        String store = "test/event_counts_by_hour";
        java.util.function.Function<Duration, MapState<Long>> run = flushEvery -> newState(
                CassandraMapStateFactory.opaque(writeBehind, TallyTables.EVENT_COUNTS_BY_HOUR)
                        .withKnownKeys(rowKey -> 0, null).withWriteBehind(store, flushEvery, 1 << 20));
        String event = "Write Behind";
        List<List<Object>> keys = hourKeys(event, 0, 30);
        List<Long> ones = new ArrayList<>();
        keys.forEach(key -> ones.add(1L));

        MapState<Long> crashed = run.apply(Duration.ofHours(1));
        for (long txid = 1; txid <= 3; txid++) {
            applyBatch(crashed, txid, keys, ones);
        }
        assertThat(CountTables.hourly(session(), writeBehindKeyspace)).as("rows before any flush").isEmpty();
        assertThat(logRows(writeBehindKeyspace, store)).as("one log row per batch").isEqualTo(3);

        // Batch 3's commit was lost: the next run replays it, then goes on.
        MapState<Long> restarted = run.apply(Duration.ofHours(1));
        applyBatch(restarted, 3L, keys, ones);
        applyBatch(restarted, 4L, keys, ones);
        assertThat(restarted.multiGet(keys)).containsOnly(4L);

        MapState<Long> flushing = run.apply(Duration.ofMillis(1));
        applyBatch(flushing, 5L, keys, ones);
        // The interval runs from the restore, inside batch 5: on a quick Cassandra the whole batch fits in one
        // millisecond, so the flush may be the commit of the next batch, which brings no keys.
        Eventually.sleep(Duration.ofMillis(2));
        applyBatch(flushing, 6L, List.of(), List.of());
        Map<HourKey, Long> expected = new HashMap<>();
        keys.forEach(key -> expected.put(new HourKey(event, (Long) key.get(1)), 5L));
        // The flush writes on a thread of its own, while the batches go on.
        assertThat(Eventually.poll(() -> CountTables.hourly(session(), writeBehindKeyspace), expected::equals,
                Duration.ofSeconds(30))).isEqualTo(expected);

        assertThat(run.apply(Duration.ofHours(1)).multiGet(keys)).containsOnly(5L);
        assertThat(logRows(writeBehindKeyspace, store)).as("log rows once the table holds every value").isZero();
    }

    private static long logRows(String keyspace, String store) {
        return session().execute("SELECT count(*) FROM " + keyspace + ".keyed_value_log WHERE store = ?", store)
                .one().getLong(0);
    }

    @Test
    void failedWriteFailsTheBatchInsteadOfTheWorker() {
        MapTable<Long> missing = new MapTable<>("no_such_table", List.of("event", "day"), List.of("hour"),
                TallyTables.EVENT_COUNTS_BY_HOUR.keyMapper(), new LongCodec("count"));
        MapState<Long> state = newState(CassandraMapStateFactory.opaque(settings, missing));
        assertThatThrownBy(() -> applyBatch(state, 1L, List.of(List.of("x", DAY_START)), List.of(1L)))
                .isInstanceOf(FailedException.class)
                .hasMessageContaining("no_such_table")
                .hasMessageContaining("the batch will be replayed");
    }

    @SuppressWarnings("unchecked")
    private static MapState<Long> newState(CassandraMapStateFactory<Long> factory) {
        return (MapState<Long>) factory.makeState(Map.of(), null, 0, 1);
    }

    /** What Trident's persistentAggregate does with one batch: begin, combine into the state, commit. */
    private static void applyBatch(MapState<Long> state, long txid, List<List<Object>> keys, List<Long> deltas) {
        state.beginCommit(txid);
        List<ValueUpdater> updaters = new ArrayList<>();
        Function<Long, ValueUpdater> updater = delta -> new CombinerValueUpdater(new Count(), delta);
        deltas.forEach(d -> updaters.add(updater.apply(d)));
        state.multiUpdate(keys, updaters);
        state.commit(txid);
    }

    private static CqlSession session() {
        return TestKeyspaces.session();
    }
}
