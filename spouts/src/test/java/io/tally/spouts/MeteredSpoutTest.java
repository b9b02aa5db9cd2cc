package io.tally.spouts;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.testsupport.RecordingCollector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.spout.IPartitionedTridentSpout;
import org.apache.storm.trident.spout.ISpoutPartition;
import org.apache.storm.trident.spout.ITridentSpout;
import org.apache.storm.trident.topology.TransactionAttempt;
import org.junit.jupiter.api.Test;

class MeteredSpoutTest {
    private record Partition(String getId) implements ISpoutPartition {
    }

    /** An emitter over partitions named by the coordinator's strings, which never change. */
    private abstract static class FixedPartitions<M> implements IPartitionedTridentSpout.Emitter<List<String>, Partition, M> {
        @Override
        public List<Partition> getOrderedPartitions(List<String> all) {
            return all.stream().map(Partition::new).toList();
        }

        @Override
        public void refreshPartitions(List<Partition> partitions) {
        }

        @Override
        public void close() {
        }
    }

    /** Emits {@code perPartition} raw records for every partition batch, new or replayed. */
    private static final class RecordsPerPartition extends FixedPartitions<String> {
        private final int perPartition;

        RecordsPerPartition(int perPartition) {
            this.perPartition = perPartition;
        }

        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector, Partition partition, String meta) {
            for (long i = 0; i < perPartition; i++) {
                collector.emit(List.of(("record " + i).getBytes(StandardCharsets.UTF_8), partition.getId(), i, 1000 + i));
            }
        }

        @Override
        public Map<Partition, String> emitBatchNew(TransactionAttempt tx, TridentCollector collector,
                Set<Partition> partitions, Map<Partition, String> last) {
            partitions.forEach(p -> reEmitPartitionBatch(tx, collector, p, null));
            return Map.of();
        }

    }

    @Test
    void replaysAreCountedOncePerAttemptWithEveryRecordTheyEmitAgain() {
        var emitter = new MeteredSpout.ReplayCountingEmitter<>(new RecordsPerPartition(3),
                new SpoutMetrics.Replays(null, Map.of(), "test"), () -> 0L);
        RecordingCollector collected = new RecordingCollector();
        SpoutMetrics.Totals before = SpoutMetrics.totals();

        emitter.emitBatchNew(new TransactionAttempt(1L, 0), collected, Set.of(new Partition("a")), Map.of());
        assertThat(SpoutMetrics.totals()).isEqualTo(before);

        TransactionAttempt replay = new TransactionAttempt(1L, 1);
        emitter.reEmitPartitionBatch(replay, collected, new Partition("a"), "m");
        emitter.reEmitPartitionBatch(replay, collected, new Partition("b"), "m");
        emitter.reEmitPartitionBatch(new TransactionAttempt(1L, 2), collected, new Partition("a"), "m");

        SpoutMetrics.Totals after = SpoutMetrics.totals();
        assertThat(after.replayedBatches() - before.replayedBatches()).isEqualTo(2);
        assertThat(after.replayedRecords() - before.replayedRecords()).isEqualTo(9);
        assertThat(collected.emitted()).hasSize(4); // one chunk per partition batch
        assertThat(collected.emitted().stream().mapToInt(tuple -> ((RecordChunk) tuple.get(0)).size()).sum()).isEqualTo(12);
    }

    @Test
    void recordsLeaveInChunksOfOneSourceInTheOrderEmitted() {
        var emitter = new MeteredSpout.ReplayCountingEmitter<>(new RecordsPerPartition(1100),
                new SpoutMetrics.Replays(null, Map.of(), "test"), () -> 0L);
        RecordingCollector collected = new RecordingCollector();
        var partitions = new java.util.LinkedHashSet<>(List.of(new Partition("a"), new Partition("b")));

        emitter.emitBatchNew(new TransactionAttempt(1L, 0), collected, partitions, Map.of());

        List<RecordChunk> chunks = collected.emitted().stream().map(tuple -> (RecordChunk) tuple.get(0)).toList();
        assertThat(chunks).extracting(RecordChunk::source).containsExactly("a", "a", "a", "b", "b", "b");
        assertThat(chunks).extracting(RecordChunk::size).containsExactly(512, 512, 76, 512, 512, 76);
        List<Long> positionsOfB = new ArrayList<>();
        for (RecordChunk chunk : chunks.subList(3, 6)) {
            for (int i = 0; i < chunk.size(); i++) {
                positionsOfB.add(chunk.position(i));
                assertThat(chunk.receivedAtMillis(i)).isEqualTo(1000 + chunk.position(i));
                assertThat(new String(chunk.payload(i), StandardCharsets.UTF_8)).isEqualTo("record " + chunk.position(i));
            }
        }
        assertThat(positionsOfB).isEqualTo(java.util.stream.LongStream.range(0, 1100).boxed().toList());
    }

    /** A spout whose metadata is a map, as every Tally spout's is: the next offset of each partition. */
    private static final class MapMetadata extends FixedPartitions<Map<String, Object>> {
        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector, Partition partition,
                Map<String, Object> meta) {
            collector.emit(List.of("{}".getBytes(StandardCharsets.UTF_8), partition.getId(), 7L, 1000L));
        }

        @Override
        public Map<Partition, Map<String, Object>> emitBatchNew(TransactionAttempt tx, TridentCollector collector,
                Set<Partition> partitions, Map<Partition, Map<String, Object>> last) {
            Map<Partition, Map<String, Object>> metas = new java.util.HashMap<>();
            for (Partition p : partitions) {
                reEmitPartitionBatch(tx, collector, p, null);
                metas.put(p, Map.of("next", 8L));
            }
            return metas;
        }

    }

    @Test
    void aReplayCarriesTheTimeItsBatchWasFirstReadNotTheClockAtReplay() {
        long[] clock = {1_000_000L};
        var emitter = new MeteredSpout.ReplayCountingEmitter<>(new MapMetadata(),
                new SpoutMetrics.Replays(null, Map.of(), "test"), () -> clock[0]);
        RecordingCollector first = new RecordingCollector();
        Partition a = new Partition("a");

        Map<Partition, Map<String, Object>> metas = emitter.emitBatchNew(new TransactionAttempt(1L, 0), first,
                Set.of(a), Map.of());
        assertThat(metas.get(a)).containsEntry("next", 8L).containsEntry(MeteredSpout.FIRST_READ_AT, 1_000_000L);
        assertThat(((RecordChunk) first.emitted().get(0).get(0)).readAtMillis()).isEqualTo(1_000_000L);

        clock[0] = 9_000_000L; // the replay runs much later, from the metadata Trident stored
        RecordingCollector replayed = new RecordingCollector();
        emitter.reEmitPartitionBatch(new TransactionAttempt(1L, 1), replayed, a, metas.get(a));
        assertThat(((RecordChunk) replayed.emitted().get(0).get(0)).readAtMillis()).isEqualTo(1_000_000L);

        // Metadata stored before read times were noted (a batch in flight across an upgrade): the clock now.
        RecordingCollector old = new RecordingCollector();
        emitter.reEmitPartitionBatch(new TransactionAttempt(1L, 2), old, a, Map.of("next", 8L));
        assertThat(((RecordChunk) old.emitted().get(0).get(0)).readAtMillis()).isEqualTo(9_000_000L);
    }

    @Test
    void aBatchIsTimedFromItsFirstAttemptToItsCommit() {
        List<String> calls = new ArrayList<>();
        ITridentSpout.BatchCoordinator<Object> inner = new ITridentSpout.BatchCoordinator<>() {
            @Override
            public Object initializeTransaction(long txid, Object prev, Object curr) {
                calls.add("init " + txid);
                return "meta-" + txid;
            }

            @Override
            public void success(long txid) {
                calls.add("success " + txid);
            }

            @Override
            public boolean isReady(long txid) {
                return true;
            }

            @Override
            public void close() {
            }
        };
        SpoutMetrics.Latency latency = new SpoutMetrics.Latency(null, Map.of(), "test");
        long[] nowMillis = {0};
        var coordinator = new MeteredSpout.TimedCoordinator(inner, latency, () -> nowMillis[0] * 1_000_000);
        long committedBefore = SpoutMetrics.totals().committedBatches();

        assertThat(coordinator.initializeTransaction(1, null, null)).isEqualTo("meta-1");
        nowMillis[0] = 5;
        coordinator.initializeTransaction(1, null, null); // a replay of batch 1: still timed from its first attempt
        nowMillis[0] = 6;
        coordinator.initializeTransaction(2, null, null);
        nowMillis[0] = 10;
        coordinator.success(1); // 10 ms
        nowMillis[0] = 30;
        coordinator.success(2); // 24 ms
        coordinator.success(3); // started before this coordinator existed: not timed

        assertThat(SpoutMetrics.totals().committedBatches() - committedBefore).isEqualTo(2);
        assertThat(latency.maxMillis.getValueAndReset()).isEqualTo(24L);
        assertThat(latency.meanMillis.getValueAndReset()).isEqualTo(17.0);
        assertThat(latency.committed.getValueAndReset()).isEqualTo(2L);
        assertThat(calls).containsExactly("init 1", "init 1", "init 2", "success 1", "success 2", "success 3");
    }
}
