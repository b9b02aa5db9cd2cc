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
import io.tally.state.cassandra.LongCodec;
import io.tally.state.cassandra.MapTable;
import io.tally.state.schema.TallyTables;
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

    @BeforeAll
    static void schema() {
        keyspace = TestKeyspaces.create("state");
        settings = TestKeyspaces.settings(keyspace);
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
