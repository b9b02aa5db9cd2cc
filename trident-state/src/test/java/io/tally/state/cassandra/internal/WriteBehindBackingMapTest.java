package io.tally.state.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.state.cassandra.LongCodec;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowRoute;
import io.tally.state.keyed.KeyRouting;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.storm.trident.state.OpaqueValue;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.state.map.CachedMap;
import org.apache.storm.trident.state.map.IBackingMap;
import org.apache.storm.trident.state.map.MapState;
import org.apache.storm.trident.state.map.OpaqueMap;
import org.junit.jupiter.api.Test;

/**
 * Drives write-behind opaque maps through Trident's batch protocol over an in-memory table and log, with replays,
 * crashes at every point of a batch, flushes that finish late, fail or die with their run, and rebalances, and
 * compares every key's value with the sum of the batches that committed.
 */
class WriteBehindBackingMapTest {
    private static final MapTable<Long> TABLE = new MapTable<>("counts", List.of("name"), List.of("user"),
            key -> key, new LongCodec("count"));
    private static final RowRoute ROUTE = rowKey -> rowKey.get(1).hashCode();
    private static final long FLUSH_EVERY = 5;
    /**
     * Room for a few values: most reads of a key not changed since the last flush go to the table, and a flush runs
     * whenever a few keys changed.
     */
    private static final long MEMORY_BYTES = 2_000;
    private static final int KEYS = 30;

    private final MemoryRows rows = new MemoryRows();
    private final MemoryLog log = new MemoryLog();
    private final HeldFlushes flushes = new HeldFlushes();
    private WriteBehindBackingMap.Flusher flusher = WriteBehindBackingMap.Flusher.ON_CALLING_THREAD;
    private long clock;
    private long memoryBytes = MEMORY_BYTES;

    @Test
    void everyKeyEqualsTheCommittedBatchesThroughReplaysCrashesAndRebalances() {
        flusher = flushes;
        for (int seed = 0; seed < 40; seed++) {
            rows.values.clear();
            log.parts.clear();
            flushes.pending.clear();
            Random random = new Random(seed);
            Map<List<Object>, Long> truth = new HashMap<>();
            Run run = new Run(1 + random.nextInt(3));
            for (long txid = 1; txid <= 200; txid++) {
                Map<List<Object>, Long> batch = randomBatch(random);
                boolean committed = false;
                while (!committed) {
                    clock += random.nextInt(3);
                    if (random.nextBoolean()) {
                        flushes.runAll();
                    }
                    int fault = random.nextInt(20);
                    rows.failNextPut |= fault == 0;
                    // Stop while processing (after some partitions), after processing, or after some commits; then
                    // the batch is replayed by a new run (a crash) or by the same one (a failed batch).
                    boolean crash = fault == 1;
                    int stopAt = crash || fault == 2 ? random.nextInt(run.partitions() * 2 + 1) : -1;
                    committed = run.apply(txid, batch, stopAt);
                    if (!committed && crash) {
                        crash(random);
                        run = new Run(1 + random.nextInt(3));
                    }
                }
                batch.forEach((key, delta) -> truth.merge(key, delta, Long::sum));
            }
            assertThat(run.read(allKeys())).as("seed %d, live run", seed).isEqualTo(expected(truth));
            crash(random);
            assertThat(new Run(1 + random.nextInt(3)).read(allKeys())).as("seed %d, restored", seed)
                    .isEqualTo(expected(truth));
        }
    }

    /** The flushes under way either finished before the crash or die with it. */
    private void crash(Random random) {
        if (random.nextBoolean()) {
            flushes.runAll();
        }
        flushes.pending.clear();
    }

    /** A run of one partition, with flushes held and room for every key, after batch 1; the flush interval passed. */
    private Run afterBatchOneWithTheFlushIntervalPassed() {
        flusher = flushes;
        memoryBytes = 1 << 20;
        Run run = new Run(1);
        clock = 1;
        run.apply(1, everyKey(), -1);
        clock += FLUSH_EVERY;
        return run;
    }

    @Test
    void batchesGoOnWhileTheirFlushWritesAndReadItsValuesFromMemory() {
        Run run = afterBatchOneWithTheFlushIntervalPassed();
        run.apply(2, everyKey(), -1);
        assertThat(flushes.pending).as("the flush started by batch 2").hasSize(1);
        int keysRead = rows.keysRead;
        for (long txid = 3; txid <= 5; txid++) {
            run.apply(txid, everyKey(), -1);
        }
        assertThat(rows.values).as("the table, while the flush has not written").isEmpty();
        assertThat(rows.keysRead).as("keys read while the flush writes").isEqualTo(keysRead);
        assertThat(run.read(allKeys()).values()).containsOnly(5L);

        flushes.runAll();
        assertThat(rows.values.values()).extracting(OpaqueValue::getCurr).containsOnly(2L);
        assertThat(log.parts).as("the rows of batches 3 to 5, logged after the flush started").hasSize(3);
        clock += FLUSH_EVERY;
        run.apply(6, Map.of(), -1);
        flushes.runAll();
        assertThat(rows.values.values()).extracting(OpaqueValue::getCurr).containsOnly(5L);
        assertThat(log.parts).isEmpty();
    }

    @Test
    void aReplayOfTheBatchThatStartedAFlushKeepsItsLogRowsWhenTheFlushDeletesThoseItWrote() {
        Run run = afterBatchOneWithTheFlushIntervalPassed();
        assertThat(run.apply(2, everyKey(), 1)).as("batch 2 fails before its commit").isFalse();
        assertThat(run.apply(2, everyKey(), -1)).as("and is replayed by the same run").isTrue();
        flushes.runAll();
        assertThat(log.parts).as("the replay's row").hasSize(1);
        flushes.pending.clear();
        assertThat(new Run(1).read(allKeys()).values()).containsOnly(2L);
    }

    @Test
    void aFailedFlushLeavesItsValuesToTheNextAndItsLogRowsUntilThen() {
        Run run = afterBatchOneWithTheFlushIntervalPassed();
        run.apply(2, everyKey(), -1);
        rows.failNextPut = true;
        flushes.runAll();
        run.apply(3, everyKey(), -1);
        assertThat(log.parts).as("every batch's row").hasSize(3);
        clock += FLUSH_EVERY;
        run.apply(4, everyKey(), -1);
        flushes.runAll();
        run.read(allKeys());
        assertThat(rows.values.values()).extracting(OpaqueValue::getCurr).containsOnly(4L);
        assertThat(log.parts).isEmpty();
    }

    @Test
    void aFlushStopsOnceTheThreadThatRanItsBatchesHasEnded() throws InterruptedException {
        Thread batches = new Thread(() -> afterBatchOneWithTheFlushIntervalPassed().apply(2, everyKey(), -1));
        batches.start();
        batches.join();
        flushes.runAll();
        assertThat(rows.values).as("what a stopped run would write over its successor's").isEmpty();
        assertThat(log.parts).hasSize(2);
        assertThat(new Run(1).read(allKeys()).values()).containsOnly(2L);
    }

    @Test
    void theLogEmptiesOnceEveryPartitionHasFlushedAndAnotherRunRestores() {
        Random random = new Random(7);
        Run first = new Run(3);
        for (long txid = 1; txid <= 20; txid++) {
            clock++;
            Map<List<Object>, Long> batch = randomBatch(random);
            first.apply(txid, batch, 5);
            first = new Run(2);
            first.apply(txid, batch, -1);
        }
        assertThat(log.parts).isNotEmpty();
        Run second = new Run(2);
        second.apply(21, everyKey(), -1);
        clock += FLUSH_EVERY;
        second.apply(22, everyKey(), -1);
        new Run(1).read(allKeys());
        assertThat(log.parts).isEmpty();
    }

    @Test
    void aRestoreAtSeveralPartitionsDeletesLogRowsHoldingOtherPartitionsKeysOnceTheTableHoldsThem() {
        memoryBytes = 1 << 20;
        Run crashed = new Run(1);
        for (long txid = 1; txid <= 3; txid++) {
            clock++;
            crashed.apply(txid, everyKey(), -1);
        }
        assertThat(log.parts).isNotEmpty();
        Run flushing = new Run(2);
        flushing.apply(4, everyKey(), -1);
        clock += FLUSH_EVERY;
        flushing.apply(5, everyKey(), -1);
        assertThat(log.parts).as("rows of the crashed run, each holding both partitions' keys").isNotEmpty();
        new Run(2).read(allKeys());
        assertThat(log.parts).isEmpty();
    }

    @Test
    void aBatchIsLoggedAsOneRowPerPartitionAndWrittenToTheTableOncePerFlush() {
        Run run = new Run(1);
        List<Object> key = List.of("Signed Up", "u1");
        // The run restores at its first batch, at time 1, and flushes first at 1 + FLUSH_EVERY.
        for (long txid = 1; txid <= FLUSH_EVERY; txid++) {
            clock = txid;
            run.apply(txid, Map.of(key, 1L), -1);
        }
        assertThat(rows.puts).isZero();
        assertThat(log.appends).isEqualTo(FLUSH_EVERY);
        clock = FLUSH_EVERY + 1;
        run.apply(FLUSH_EVERY + 1, Map.of(key, 1L), -1);
        assertThat(rows.puts).isEqualTo(1);
        assertThat(rows.values.get(key).getCurr()).isEqualTo(FLUSH_EVERY + 1);
        assertThat(log.parts).isEmpty();
    }

    @Test
    void commitsFlushAPartitionThatBatchesNoLongerBring() {
        Run run = new Run(1);
        List<Object> key = List.of("Signed Up", "u1");
        clock = 1;
        run.apply(1, Map.of(key, 3L), -1);
        clock = 1 + FLUSH_EVERY - 1;
        run.apply(2, Map.of(), -1);
        assertThat(rows.values).isEmpty();
        clock = 1 + FLUSH_EVERY;
        run.apply(3, Map.of(), -1);
        assertThat(rows.values.get(key).getCurr()).isEqualTo(3L);
        assertThat(log.parts).isEmpty();
    }

    @Test
    void valuesTheTableHoldsAreReadOnceWhileTheyFitTheBudgetAndAgainOnceTheyDoNot() {
        List<List<Object>> keys = allKeys();
        for (int i = 0; i < keys.size(); i++) {
            rows.values.put(keys.get(i), new OpaqueValue<>(1L, (long) i));
        }
        List<Long> expected = keys.stream().map(key -> rows.values.get(key).getCurr()).toList();
        WriteBehindBackingMap<Long> roomy = newMap(0, 1, 1 << 20);
        for (int pass = 0; pass < 3; pass++) {
            assertThat(roomy.multiGet(keys)).extracting(OpaqueValue::getCurr).as("pass %d", pass)
                    .containsExactlyElementsOf(expected);
        }
        assertThat(rows.keysRead).as("keys read with room for all").isEqualTo(KEYS);

        rows.keysRead = 0;
        WriteBehindBackingMap<Long> tight = newMap(0, 1, 1_000);
        for (int pass = 0; pass < 3; pass++) {
            assertThat(tight.multiGet(keys)).extracting(OpaqueValue::getCurr).containsExactlyElementsOf(expected);
        }
        assertThat(rows.keysRead).as("keys read with room for a few").isGreaterThan(2 * KEYS);
    }

    @Test
    void keysOtherThanTextAndWholeNumbersAreRefusedByName() {
        WriteBehindBackingMap<Long> map = newMap(0, 1);
        assertThatThrownBy(() -> map.multiPut(List.of(List.of("Signed Up", 1.5)), List.of(new OpaqueValue<>(1L, 1L))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Double");
    }

    private static Map<List<Object>, Long> randomBatch(Random random) {
        Map<List<Object>, Long> batch = new HashMap<>();
        for (int i = random.nextInt(8); i >= 0; i--) {
            batch.merge(key(random.nextInt(KEYS)), 1L + random.nextInt(5), Long::sum);
        }
        return batch;
    }

    private static Map<List<Object>, Long> everyKey() {
        Map<List<Object>, Long> batch = new HashMap<>();
        allKeys().forEach(key -> batch.put(key, 1L));
        return batch;
    }

    private static List<Object> key(int i) {
        return List.of(i % 2 == 0 ? "Signed Up" : "Order Completed", "user-" + i);
    }

    private static List<List<Object>> allKeys() {
        List<List<Object>> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add(key(i));
        }
        return keys;
    }

    private static Map<List<Object>, Long> expected(Map<List<Object>, Long> truth) {
        Map<List<Object>, Long> expected = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        allKeys().forEach(key -> expected.put(key, truth.get(key)));
        return expected;
    }

    private WriteBehindBackingMap<Long> newMap(int partition, int partitions) {
        return newMap(partition, partitions, memoryBytes);
    }

    private WriteBehindBackingMap<Long> newMap(int partition, int partitions, long memoryBytes) {
        return new WriteBehindBackingMap<>("test/counts", TABLE, rows.ownedBy(partition, partitions), rows, log,
                ROUTE, partition, partitions, FLUSH_EVERY, memoryBytes, () -> clock, flusher);
    }

    private static int partitionOf(List<Object> key, int partitions) {
        return KeyRouting.partition(ROUTE.of(TABLE.keyMapper().toColumns(key)), partitions);
    }

    /** One run of the topology: a write-behind opaque map per partition, as Trident builds them. */
    private final class Run {
        private final List<MapState<Long>> states = new ArrayList<>();
        private final List<WriteBehindBackingMap<Long>> maps = new ArrayList<>();

        @SuppressWarnings({"unchecked", "rawtypes"}) // OpaqueMap.build takes the raw OpaqueValue type
        Run(int partitions) {
            for (int p = 0; p < partitions; p++) {
                maps.add(newMap(p, partitions));
                states.add(OpaqueMap.build((IBackingMap) new CachedMap<>(maps.get(p), 10)));
            }
        }

        int partitions() {
            return states.size();
        }

        /**
         * Processes the batch in each partition, then commits it in each. {@code stopAt} below the partitions: stops
         * before that partition processes it; from there up: stops before the ({@code stopAt - partitions})th
         * commit; -1: does not stop.
         *
         * @return whether the batch committed
         */
        @SuppressWarnings({"unchecked", "rawtypes"})
        boolean apply(long txid, Map<List<Object>, Long> batch, int stopAt) {
            for (int p = 0; p < states.size(); p++) {
                if (stopAt == p) {
                    return false;
                }
                MapState<Long> state = states.get(p);
                state.beginCommit(txid);
                List<List<Object>> keys = new ArrayList<>();
                List<ValueUpdater> updaters = new ArrayList<>();
                for (Map.Entry<List<Object>, Long> change : batch.entrySet()) {
                    if (partitionOf(change.getKey(), states.size()) == p) {
                        keys.add(change.getKey());
                        long delta = change.getValue();
                        updaters.add((ValueUpdater<Long>) stored -> (stored == null ? 0 : stored) + delta);
                    }
                }
                state.multiUpdate(keys, updaters);
            }
            for (int p = 0; p < states.size(); p++) {
                if (stopAt == states.size() + p) {
                    return false;
                }
                states.get(p).commit(txid);
                maps.get(p).committed(txid);
            }
            return true;
        }

        Map<List<Object>, Long> read(List<List<Object>> keys) {
            Map<List<Object>, Long> values = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
            for (List<Object> key : keys) {
                values.put(key, states.get(partitionOf(key, states.size())).multiGet(List.of(key)).get(0));
            }
            return values;
        }
    }

    /** The table: rows by key, with a put that can be made to fail once. */
    private static final class MemoryRows implements IBackingMap<OpaqueValue<Long>> {
        final Map<List<Object>, OpaqueValue<Long>> values = new HashMap<>();
        boolean failNextPut;
        int puts;
        int keysRead;

        /** The rows as one partition's known keys show them: other partitions' keys absent, without a read. */
        WriteBehindBackingMap.TableRows<Long> ownedBy(int partition, int partitions) {
            MemoryRows all = this;
            return new WriteBehindBackingMap.TableRows<>() {
                @Override
                public List<OpaqueValue<Long>> multiGet(List<List<Object>> keys) {
                    List<OpaqueValue<Long>> found = new ArrayList<>();
                    for (List<Object> key : keys) {
                        found.add(partitionOf(key, partitions) == partition ? all.multiGet(List.of(key)).get(0)
                                : null);
                    }
                    return found;
                }

                @Override
                public void multiPut(List<List<Object>> keys, List<OpaqueValue<Long>> put) {
                    all.multiPut(keys, put);
                }
            };
        }

        @Override
        public List<OpaqueValue<Long>> multiGet(List<List<Object>> keys) {
            keysRead += keys.size();
            List<OpaqueValue<Long>> found = new ArrayList<>();
            keys.forEach(key -> found.add(values.get(key)));
            return found;
        }

        @Override
        public void multiPut(List<List<Object>> keys, List<OpaqueValue<Long>> put) {
            if (failNextPut) {
                failNextPut = false;
                // Half the rows reach the table before the failure, as with a batch of writes cut short.
                for (int i = 0; i < keys.size() / 2; i++) {
                    values.put(keys.get(i), put.get(i));
                }
                throw new IllegalStateException("failed put");
            }
            puts++;
            for (int i = 0; i < keys.size(); i++) {
                values.put(keys.get(i), put.get(i));
            }
        }
    }

    /** The log: rows by run, txid and part. */
    private static final class MemoryLog implements WriteBehindBackingMap.ValueLog {
        final Map<String, LoggedPart> parts = new TreeMap<>();
        int appends;

        private static String id(UUID run, long txid, int part) {
            return run + "/" + String.format("%020d/%05d", txid, part);
        }

        @Override
        public void append(String store, UUID run, long txid, List<ByteBuffer> batch) {
            appends++;
            for (int part = 0; part < batch.size(); part++) {
                parts.put(id(run, txid, part), new LoggedPart(run, txid, part, batch.get(part)));
            }
        }

        @Override
        public List<LoggedPart> readAll(String store) {
            return new ArrayList<>(parts.values());
        }

        @Override
        public void deleteRun(String store, UUID run) {
            parts.values().removeIf(part -> part.run().equals(run));
        }

        @Override
        public void delete(String store, List<LoggedPart> deleted) {
            deleted.forEach(part -> parts.remove(id(part.run(), part.txid(), part.part())));
        }
    }

    /** Flushes held until the test runs them: a flush thread that is slow, or not scheduled yet. */
    private static final class HeldFlushes implements WriteBehindBackingMap.Flusher {
        final List<HeldFlush> pending = new ArrayList<>();

        @Override
        public CompletableFuture<Void> start(Runnable writes) {
            HeldFlush flush = new HeldFlush(writes);
            pending.add(flush);
            return flush;
        }

        void runAll() {
            pending.forEach(HeldFlush::run);
            pending.clear();
        }
    }

    /** A flush that runs when the test says, or when the map waits for it. */
    private static final class HeldFlush extends CompletableFuture<Void> {
        private Runnable writes;

        HeldFlush(Runnable writes) {
            this.writes = writes;
        }

        void run() {
            if (writes == null) {
                return;
            }
            Runnable running = writes;
            writes = null;
            try {
                running.run();
                complete(null);
            } catch (RuntimeException e) {
                completeExceptionally(e);
            }
        }

        @Override
        public Void join() {
            run();
            return super.join();
        }
    }
}
