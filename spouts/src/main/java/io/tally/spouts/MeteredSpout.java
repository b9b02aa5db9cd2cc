package io.tally.spouts;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.Set;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.spout.IPartitionedTridentSpout;
import org.apache.storm.trident.spout.ISpoutPartition;
import org.apache.storm.trident.spout.ITridentSpout;
import org.apache.storm.trident.spout.PartitionedTridentSpoutExecutor;
import org.apache.storm.trident.topology.TransactionAttempt;
import org.apache.storm.tuple.Fields;

/**
 * A transactional Tally spout as Trident runs it ({@link PartitionedTridentSpoutExecutor}, exactly what
 * {@code TridentTopology.newStream(id, partitionedSpout)} builds), with its replays and batch latency measured
 * (see {@link SpoutMetrics}), and its {@link RawRecordFields} records passed on in {@link RecordChunk}s: the
 * stream's only field is {@link RecordChunk#FIELDS}.
 *
 * <p>A replay is a call of the emitter's {@code reEmitPartitionBatch}: Trident makes it exactly when the batch's
 * metadata is already stored, i.e. for a batch emitted before. The latency is timed by the batch coordinator,
 * the one place that sees both a batch start ({@code initializeTransaction}, once per attempt) and its commit
 * ({@code success}); it includes the failed attempts of a replayed batch, as a record in it waits through them.
 */
public final class MeteredSpout implements ITridentSpout<Object> {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final PartitionedTridentSpoutExecutor executor;

    /** @param name the spout's name in metric names: {@code tally.spout.<name>.*} */
    @SuppressWarnings({"unchecked", "rawtypes"}) // the executor takes the raw spout type
    public <C, P extends ISpoutPartition, M> MeteredSpout(String name, IPartitionedTridentSpout<C, P, M> spout) {
        this.name = name;
        this.executor = new PartitionedTridentSpoutExecutor((IPartitionedTridentSpout) new ReplayCounting<>(name, spout));
    }

    @Override
    public BatchCoordinator<Object> getCoordinator(String txStateId, Map<String, Object> conf, TopologyContext context) {
        return new TimedCoordinator(executor.getCoordinator(txStateId, conf, context),
                new SpoutMetrics.Latency(context, conf, name), System::nanoTime);
    }

    @Override
    public Emitter<Object> getEmitter(String txStateId, Map<String, Object> conf, TopologyContext context) {
        return executor.getEmitter(txStateId, conf, context);
    }

    @Override
    public Map<String, Object> getComponentConfiguration() {
        return executor.getComponentConfiguration();
    }

    @Override
    public Fields getOutputFields() {
        return executor.getOutputFields();
    }

    static final class TimedCoordinator implements BatchCoordinator<Object> {
        private final BatchCoordinator<Object> coordinator;
        private final SpoutMetrics.Latency latency;
        /** When the first attempt of each uncommitted batch started. */
        private final Map<Long, Long> startedAt = new HashMap<>();
        private final LongSupplier nanoTime;

        TimedCoordinator(BatchCoordinator<Object> coordinator, SpoutMetrics.Latency latency, LongSupplier nanoTime) {
            this.coordinator = coordinator;
            this.latency = latency;
            this.nanoTime = nanoTime;
        }

        @Override
        public Object initializeTransaction(long txid, Object prevMetadata, Object currMetadata) {
            startedAt.putIfAbsent(txid, nanoTime.getAsLong());
            return coordinator.initializeTransaction(txid, prevMetadata, currMetadata);
        }

        @Override
        public void success(long txid) {
            Long started = startedAt.remove(txid);
            // Batches started before this coordinator (a restarted worker) have no start time here.
            if (started != null) {
                latency.committed((nanoTime.getAsLong() - started) / 1_000_000);
            }
            startedAt.keySet().removeIf(earlier -> earlier < txid);
            coordinator.success(txid);
        }

        @Override
        public boolean isReady(long txid) {
            return coordinator.isReady(txid);
        }

        @Override
        public void close() {
            coordinator.close();
        }
    }

    /** The spout itself, with each emitter counting what it emits again and chunking what it emits. */
    static final class ReplayCounting<C, P extends ISpoutPartition, M> implements IPartitionedTridentSpout<C, P, M> {
        private static final long serialVersionUID = 1L;

        private final String name;
        private final IPartitionedTridentSpout<C, P, M> spout;

        ReplayCounting(String name, IPartitionedTridentSpout<C, P, M> spout) {
            this.name = name;
            this.spout = spout;
        }

        @Override
        public Coordinator<C> getCoordinator(Map<String, Object> conf, TopologyContext context) {
            return spout.getCoordinator(conf, context);
        }

        @Override
        public Emitter<C, P, M> getEmitter(Map<String, Object> conf, TopologyContext context) {
            return new ReplayCountingEmitter<>(spout.getEmitter(conf, context),
                    new SpoutMetrics.Replays(context, conf, name));
        }

        @Override
        public Map<String, Object> getComponentConfiguration() {
            return spout.getComponentConfiguration();
        }

        @Override
        public Fields getOutputFields() {
            return RecordChunk.FIELDS;
        }
    }

    static final class ReplayCountingEmitter<C, P extends ISpoutPartition, M> implements IPartitionedTridentSpout.Emitter<C, P, M> {
        private final IPartitionedTridentSpout.Emitter<C, P, M> emitter;
        private final SpoutMetrics.Replays replays;
        private TransactionAttempt lastReplayed;

        ReplayCountingEmitter(IPartitionedTridentSpout.Emitter<C, P, M> emitter, SpoutMetrics.Replays replays) {
            this.emitter = emitter;
            this.replays = replays;
        }

        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector, P partition, M meta) {
            // Trident re-emits a batch one partition at a time, with the same attempt.
            if (!tx.equals(lastReplayed)) {
                lastReplayed = tx;
                replays.batch();
            }
            RecordChunker chunks = new RecordChunker(collector);
            emitter.reEmitPartitionBatch(tx, new CountingCollector(chunks, replays), partition, meta);
            chunks.finish();
        }

        @Override
        public Map<P, M> emitBatchNew(TransactionAttempt tx, TridentCollector collector, Set<P> partitions,
                Map<P, M> lastPartitionMetaMap) {
            RecordChunker chunks = new RecordChunker(collector);
            Map<P, M> metas = emitter.emitBatchNew(tx, chunks, partitions, lastPartitionMetaMap);
            chunks.finish();
            return metas;
        }

        @Override
        public List<P> getOrderedPartitions(C allPartitionInfo) {
            return emitter.getOrderedPartitions(allPartitionInfo);
        }

        @Override
        public List<P> getPartitionsForTask(int taskId, int numTasks, List<P> allPartitionInfoSorted) {
            return emitter.getPartitionsForTask(taskId, numTasks, allPartitionInfoSorted);
        }

        @Override
        public void refreshPartitions(List<P> partitionResponsibilities) {
            emitter.refreshPartitions(partitionResponsibilities);
        }

        @Override
        public void close() {
            emitter.close();
        }
    }

    private static final class CountingCollector extends WatchingCollector {
        private final SpoutMetrics.Replays replays;

        CountingCollector(TridentCollector delegate, SpoutMetrics.Replays replays) {
            super(delegate);
            this.replays = replays;
        }

        @Override
        public void emit(List<Object> values) {
            replays.record();
            delegate.emit(values);
        }
    }
}
