package io.tally.state.keyed.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.state.keyed.KeyRoute;
import io.tally.state.keyed.KeyChangelog;
import io.tally.state.keyed.KeyRouting;
import io.tally.state.keyed.KeySpill;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.LongList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    /** Keeps spilled keys in memory, and counts the reads. */
    private static final class MemorySpill implements KeySpill {
        final Map<String, Long> rows = new HashMap<>();
        int reads;

        @Override
        public void write(String store, List<String> keys, LongList addedMillis, long retentionMillis) {
            for (int i = 0; i < keys.size(); i++) {
                rows.merge(keys.get(i), addedMillis.getLong(i), Math::max);
            }
        }

        @Override
        public long addedMillis(String store, String key) {
            reads++;
            return rows.getOrDefault(key, ABSENT);
        }
    }

    /**
     * A state with a memory budget far below its keys decides every key as a state without one does, through
     * replays, restarts (a restore that spills again) and expiry; it holds no more than its budget when a batch
     * begins, and reads the spill for the keys it moved out.
     */
    @Test
    void aMemoryBudgetSpillsTheOldestKeysAndDecidesAsWithoutOne() {
        long budget = 20 * ChangelogFirstSeenState.weight("key-000");
        int spillReads = 0;
        for (int seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            MemoryLog boundedLog = new MemoryLog();
            MemorySpill spill = new MemorySpill();
            ChangelogFirstSeenState unbounded = partition(0, 1);
            ChangelogFirstSeenState bounded = bounded(boundedLog, spill, budget);
            for (long txid = 1; txid <= 300; txid++) {
                clock.addAndGet(random.nextInt((int) (RETENTION / 8)));
                if (random.nextInt(20) == 0) {
                    bounded = bounded(boundedLog, spill, budget);
                }
                List<String> keys = new ArrayList<>();
                for (int k = random.nextInt(10) + 1; k > 0; k--) {
                    keys.add(String.format("key-%03d", random.nextInt(300)));
                }
                List<Boolean> expected = apply(unbounded, txid, keys);
                if (random.nextInt(10) == 0) {
                    // The first attempt fails before its commit; Trident replays it with the same keys.
                    beginAndDecide(bounded, txid, keys);
                }
                assertThat(beginAndDecide(bounded, txid, keys)).as("seed %d, batch %d: %s", seed, txid, keys)
                        .isEqualTo(expected);
                assertThat(bounded.heldBytes()).as("seed %d, batch %d: the budget and the batch's keys", seed, txid)
                        .isLessThanOrEqualTo(budget + keys.size() * ChangelogFirstSeenState.weight("key-000"));
                bounded.commit(txid);
            }
            spillReads += spill.reads;
        }
        assertThat(spillReads).as("spilled keys asked for again were read").isPositive();
    }

    private ChangelogFirstSeenState bounded(MemoryLog boundedLog, MemorySpill spill, long budget) {
        return new ChangelogFirstSeenState("test/keys", RETENTION, 0, 1, KeyRoute.wholeKey(ROUTING), boundedLog,
                clock::get, budget, spill);
    }

    private static List<Boolean> apply(ChangelogFirstSeenState state, long txid, List<String> keys) {
        List<Boolean> decisions = beginAndDecide(state, txid, keys);
        state.commit(txid);
        return decisions;
    }

    private static List<Boolean> beginAndDecide(ChangelogFirstSeenState state, long txid, List<String> keys) {
        state.beginCommit(txid);
        state.attempt(0);
        List<Boolean> decisions = new ArrayList<>();
        keys.forEach(key -> decisions.add(state.firstSeen(key, ROUTING.route(key))));
        return decisions;
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
