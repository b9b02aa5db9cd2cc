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
import org.apache.storm.trident.state.OpaqueValue;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.state.map.CachedMap;
import org.apache.storm.trident.state.map.IBackingMap;
import org.apache.storm.trident.state.map.MapState;
import org.apache.storm.trident.state.map.OpaqueMap;
import org.junit.jupiter.api.Test;

/**
 * Drives write-behind opaque maps through Trident's batch protocol over an in-memory table and log, with replays,
 * crashes at every point of a batch, failed flushes and rebalances, and compares every key's value with the sum of
 * the batches that committed.
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
    private long clock;
    private long memoryBytes = MEMORY_BYTES;

    @Test
    void everyKeyEqualsTheCommittedBatchesThroughReplaysCrashesAndRebalances() {
        for (int seed = 0; seed < 40; seed++) {
            rows.values.clear();
            log.parts.clear();
            Random random = new Random(seed);
            Map<List<Object>, Long> truth = new HashMap<>();
            Run run = new Run(1 + random.nextInt(3));
            for (long txid = 1; txid <= 200; txid++) {
                Map<List<Object>, Long> batch = randomBatch(random);
                boolean committed = false;
                while (!committed) {
                    clock += random.nextInt(3);
                    int fault = random.nextInt(20);
                    rows.failNextPut = fault == 0;
                    // Crash while processing (after some partitions), after processing, or after some commits.
                    int crashAt = fault == 1 ? random.nextInt(run.partitions() * 2 + 1) : -1;
                    try {
                        committed = run.apply(txid, batch, crashAt);
                    } catch (RuntimeException failed) {
                        assertThat(failed).hasMessageContaining("failed put");
                    }
                    rows.failNextPut = false;
                    if (!committed && crashAt >= 0) {
                        run = new Run(1 + random.nextInt(3));
                    }
                }
                batch.forEach((key, delta) -> truth.merge(key, delta, Long::sum));
            }
            assertThat(run.read(allKeys())).as("seed %d, live run", seed).isEqualTo(expected(truth));
            assertThat(new Run(1 + random.nextInt(3)).read(allKeys())).as("seed %d, restored", seed)
                    .isEqualTo(expected(truth));
        }
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
                ROUTE, partition, partitions, FLUSH_EVERY, memoryBytes, () -> clock);
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
         * Processes the batch in each partition, then commits it in each. {@code crashAt} below the partitions: stops
         * before that partition processes it; from there up: stops before the ({@code crashAt - partitions})th
         * commit; -1: no crash.
         *
         * @return whether the batch committed
         */
        @SuppressWarnings({"unchecked", "rawtypes"})
        boolean apply(long txid, Map<List<Object>, Long> batch, int crashAt) {
            for (int p = 0; p < states.size(); p++) {
                if (crashAt == p) {
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
                if (crashAt == states.size() + p) {
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
        IBackingMap<OpaqueValue<Long>> ownedBy(int partition, int partitions) {
            MemoryRows all = this;
            return new IBackingMap<>() {
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
        public void deleteThrough(String store, UUID run, long txid) {
            parts.values().removeIf(part -> part.run().equals(run) && part.txid() <= txid);
        }

        @Override
        public void delete(String store, List<LoggedPart> deleted) {
            deleted.forEach(part -> parts.remove(id(part.run(), part.txid(), part.part())));
        }
    }
}
