package io.tally.spouts.file;

import io.tally.testsupport.RecordingCollector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.storm.trident.topology.TransactionAttempt;

/**
 * Drives the log-file spout's coordinator and one emitter task as Storm's partitioned Trident executor does: the
 * coordinator's metadata is stored per transaction, each partition's metadata per transaction and partition id, a
 * transaction whose metadata is stored is replayed from it, and a restart is new coordinator and emitter instances
 * over the same stored metadata.
 */
final class TridentDriver {
    /** What one batch emitted. */
    static final class Batch extends RecordingCollector {
        List<String> lines() {
            return emitted().stream().map(t -> new String((byte[]) t.get(0), StandardCharsets.UTF_8)).toList();
        }

        List<String> sources() {
            return emitted().stream().map(t -> (String) t.get(1)).toList();
        }
    }

    private final FileSpoutSettings settings;
    private final int maxSpoutPending;
    /** What Trident keeps in ZooKeeper: the coordinator's metadata per transaction. */
    final Map<Long, Object> coordinatorMetas = new HashMap<>();
    /** ... and each partition's metadata per transaction. */
    final Map<String, TreeMap<Long, Map<String, Object>>> partitionMetas = new HashMap<>();
    private LogFileSpout.DirectoryCoordinator coordinator;
    LogFileSpout.FileEmitter emitter;
    private Object savedCoordinatorMeta;
    private List<FilePartition> mine = List.of();
    private long txid;

    TridentDriver(FileSpoutSettings settings, int maxSpoutPending) {
        this.settings = settings;
        this.maxSpoutPending = maxSpoutPending;
        restart();
    }

    /** A worker restart: new instances, the stored metadata kept. */
    void restart() {
        coordinator = new LogFileSpout.DirectoryCoordinator(settings);
        emitter = new LogFileSpout.FileEmitter(settings, maxSpoutPending, null, Map.of());
        savedCoordinatorMeta = null;
    }

    /** The next transaction: its coordinator metadata is stored, then it is emitted. */
    Batch next() {
        long tx = ++txid;
        coordinatorMetas.put(tx, coordinator.getPartitionsForBatch());
        return emit(tx, 0);
    }

    /** Emits a transaction again from what was stored for it. */
    Batch replay(long tx) {
        return emit(tx, 1);
    }

    long lastTxid() {
        return txid;
    }

    /** Reads batches until one emits nothing; the lines of all of them. */
    List<String> drain() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            Batch batch = next();
            if (batch.emitted().isEmpty()) {
                return lines;
            }
            lines.addAll(batch.lines());
        }
        throw new AssertionError("the spout never ran out of lines");
    }

    @SuppressWarnings("unchecked")
    private Batch emit(long tx, int attempt) {
        Object coordinatorMeta = coordinatorMetas.get(tx);
        if (savedCoordinatorMeta == null || !savedCoordinatorMeta.equals(coordinatorMeta)) {
            mine = emitter.getPartitionsForTask(0, 1, emitter.getOrderedPartitions((List<String>) coordinatorMeta));
            emitter.refreshPartitions(mine);
            savedCoordinatorMeta = coordinatorMeta;
        }
        Batch batch = new Batch();
        TransactionAttempt attemptId = new TransactionAttempt(tx, attempt);
        Set<FilePartition> fresh = new HashSet<>();
        Map<FilePartition, Map<String, Object>> previous = new HashMap<>();
        for (FilePartition partition : mine) {
            TreeMap<Long, Map<String, Object>> stored = partitionMetas.computeIfAbsent(partition.getId(),
                    id -> new TreeMap<>());
            if (!stored.containsKey(tx)) {
                fresh.add(partition);
                Map.Entry<Long, Map<String, Object>> before = stored.lowerEntry(tx);
                previous.put(partition, before == null ? null : before.getValue());
            }
        }
        emitter.emitBatchNew(attemptId, batch, fresh, previous)
                .forEach((partition, meta) -> partitionMetas.get(partition.getId()).put(tx, meta));
        for (FilePartition partition : mine) {
            if (!fresh.contains(partition)) {
                emitter.reEmitPartitionBatch(attemptId, batch, partition, partitionMetas.get(partition.getId()).get(tx));
            }
        }
        return batch;
    }
}
