package io.tally.state.keyed.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.state.keyed.KeyRoute;
import io.tally.state.keyed.KeyRouting;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ChangelogFirstSeenStateTest {
    private static final long RETENTION = 60_000;
    private static final KeyRouting ROUTING = KeyRouting.withKey(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);

    /** Keeps appended rows in memory; a restore gets every row before the first txid (no attempts to choose from). */
    private static final class MemoryLog implements KeyChangelog {
        record Entry(long txid, String key, int route, long addedMillis) {
        }

        final List<Entry> entries = new ArrayList<>();
        int appends;

        @Override
        public void append(String store, long batchMillis, long txid, int attempt, int partitions, int partition,
                List<String> keys, IntList routes, long retentionMillis) {
            appends++;
            entries.removeIf(entry -> entry.txid == txid && KeyRouting.partition(entry.route, partitions) == partition);
            for (int i = 0; i < keys.size(); i++) {
                entries.add(new Entry(txid, keys.get(i), routes.getInt(i), batchMillis));
            }
        }

        @Override
        public long read(String store, long fromMillis, long toMillis, long firstTxid, EntryConsumer consumer) {
            entries.stream().filter(entry -> entry.txid < firstTxid && entry.addedMillis >= fromMillis)
                    .forEach(entry -> consumer.accept(entry.key, entry.route, entry.addedMillis));
            return entries.size();
        }
    }

    private final MemoryLog log = new MemoryLog();
    private final AtomicLong clock = new AtomicLong(1_000_000);

    private ChangelogFirstSeenState partition(int index, int of) {
        return new ChangelogFirstSeenState("test/keys", RETENTION, index, of, KeyRoute.wholeKey(ROUTING), log,
                clock::get);
    }

    private static boolean batch(ChangelogFirstSeenState state, long txid, String key) {
        state.beginCommit(txid);
        state.attempt(0);
        boolean first = state.firstSeen(key, ROUTING.route(key));
        state.commit(txid);
        return first;
    }

    @Test
    void aKeyIsFirstSeenOnceWithinItsRetention() {
        ChangelogFirstSeenState state = partition(0, 1);
        assertThat(batch(state, 1, "m-1")).isTrue();
        assertThat(batch(state, 2, "m-1")).isFalse();
        clock.addAndGet(RETENTION - 1);
        assertThat(batch(state, 3, "m-1")).as("still within the retention").isFalse();
        clock.addAndGet(1);
        assertThat(batch(state, 4, "m-1")).as("a retention after the batch that added it").isTrue();
        assertThat(log.appends).as("every batch is logged").isEqualTo(4);
    }

    @Test
    void aReplayedBatchDecidesFromTheStateBeforeItsFirstAttempt() {
        ChangelogFirstSeenState state = partition(0, 1);
        assertThat(batch(state, 1, "m-1")).isTrue();
        state.beginCommit(2L);
        state.attempt(0);
        assertThat(state.firstSeen("m-2", ROUTING.route("m-2"))).isTrue();
        assertThat(state.firstSeen("m-2", ROUTING.route("m-2"))).as("a duplicate in the same batch").isFalse();
        // The batch fails before its commit; Trident replays it.
        state.beginCommit(2L);
        state.attempt(1);
        assertThat(state.firstSeen("m-2", ROUTING.route("m-2"))).as("the failed attempt's key is undone").isTrue();
        assertThat(state.firstSeen("m-1", ROUTING.route("m-1"))).as("earlier batches stay").isFalse();
        state.commit(2L);
        assertThat(state.size()).isEqualTo(2);
    }

    @Test
    void aNewWorkerRestoresTheCommittedBatchesOnly() {
        ChangelogFirstSeenState first = partition(0, 1);
        batch(first, 1, "m-1");
        batch(first, 2, "m-2");
        batch(first, 3, "m-3");
        // Batch 3 was logged, but the worker died before it committed: the next worker is given batch 3 again.
        ChangelogFirstSeenState restarted = partition(0, 1);
        assertThat(batch(restarted, 3, "m-3")).as("batch 3's own key, logged by an attempt that never committed")
                .isTrue();
        assertThat(batch(restarted, 4, "m-2")).isFalse();
        assertThat(batch(restarted, 5, "m-1")).isFalse();
    }

    @Test
    void aRestoreKeepsTheKeysThatRouteToThePartitionUnderTheNewParallelism() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            keys.add("user-" + i);
        }
        ChangelogFirstSeenState[] two = {partition(0, 2), partition(1, 2)};
        for (ChangelogFirstSeenState state : two) {
            state.beginCommit(1L);
            state.attempt(0);
        }
        for (String key : keys) {
            int route = ROUTING.route(key);
            assertThat(two[KeyRouting.partition(route, 2)].firstSeen(key, route)).isTrue();
        }
        for (ChangelogFirstSeenState state : two) {
            state.commit(1L);
        }
        ChangelogFirstSeenState[] three = {partition(0, 3), partition(1, 3), partition(2, 3)};
        int held = 0;
        for (ChangelogFirstSeenState state : three) {
            state.beginCommit(2L);
            state.attempt(0);
            held += state.size();
        }
        assertThat(held).as("every key restored exactly once").isEqualTo(keys.size());
        for (String key : keys) {
            int route = ROUTING.route(key);
            assertThat(three[KeyRouting.partition(route, 3)].firstSeen(key, route)).as(key).isFalse();
        }
    }

    @Test
    void aRestoreDropsKeysPastTheirRetention() {
        ChangelogFirstSeenState first = partition(0, 1);
        batch(first, 1, "old");
        clock.addAndGet(RETENTION / 2);
        batch(first, 2, "recent");
        clock.addAndGet(RETENTION / 2 + 1);
        ChangelogFirstSeenState restarted = partition(0, 1);
        restarted.beginCommit(3L);
        restarted.attempt(0);
        assertThat(restarted.entries().keySet()).containsExactly("recent");
    }

    @Test
    void batchesComeInOrder() {
        ChangelogFirstSeenState state = partition(0, 1);
        batch(state, 5, "m-1");
        assertThatThrownBy(() -> state.beginCommit(4L)).hasMessageContaining("in order");
        ChangelogFirstSeenState unattempted = partition(0, 1);
        unattempted.beginCommit(1L);
        assertThatThrownBy(() -> unattempted.commit(1L)).hasMessageContaining("attempt");
    }
}
