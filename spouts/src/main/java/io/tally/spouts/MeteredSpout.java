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
 *
 * <p>When a batch is first read, the emitter notes Tally's clock in every partition's metadata ({@link #FIRST_READ_AT});
 * Trident stores that metadata before the batch is processed, and a replay passes the same time on in its chunks. So
 * the checks that hold a record's own times to Tally's clock decide a replay exactly as they decided the first attempt,
 * however late the replay runs (a worker's clock at replay time would not).
 */
public final class MeteredSpout implements ITridentSpout<Object> {
    private static final long serialVersionUID = 1L;
    /** The key, in each partition's batch metadata, of Tally's clock when the batch was first read (epoch ms). */
    public static final String FIRST_READ_AT = "tallyFirstReadAt";

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
                    new SpoutMetrics.Replays(context, conf, name), System::currentTimeMillis);
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
        private final LongSupplier clock;
        private TransactionAttempt lastReplayed;

        ReplayCountingEmitter(IPartitionedTridentSpout.Emitter<C, P, M> emitter, SpoutMetrics.Replays replays,
                LongSupplier clock) {
            this.emitter = emitter;
            this.replays = replays;
            this.clock = clock;
        }

        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector, P partition, M meta) {
            // Trident re-emits a batch one partition at a time, with the same attempt.
            if (!tx.equals(lastReplayed)) {
                lastReplayed = tx;
                replays.batch();
            }
            RecordChunker chunks = new RecordChunker(collector, firstReadAt(meta));
            emitter.reEmitPartitionBatch(tx, new CountingCollector(chunks, replays), partition, meta);
            chunks.finish();
        }

        @Override
        public Map<P, M> emitBatchNew(TransactionAttempt tx, TridentCollector collector, Set<P> partitions,
                Map<P, M> lastPartitionMetaMap) {
            long readAt = clock.getAsLong();
            RecordChunker chunks = new RecordChunker(collector, readAt);
            Map<P, M> metas = emitter.emitBatchNew(tx, chunks, partitions, lastPartitionMetaMap);
            chunks.finish();
            Map<P, M> stamped = new HashMap<>(metas);
            stamped.replaceAll((partition, meta) -> withFirstReadAt(meta, readAt));
            return stamped;
        }

        /** The metadata with the read time added; every Tally spout's metadata is a map. */
        @SuppressWarnings("unchecked")
        private static <M> M withFirstReadAt(M meta, long readAt) {
            if (!(meta instanceof Map<?, ?> map)) {
                return meta;
            }
            Map<String, Object> stamped = new HashMap<>((Map<String, Object>) map);
            stamped.put(FIRST_READ_AT, readAt);
            return (M) stamped;
        }

        /**
         * The batch's first read time from its metadata. Metadata stored by a Tally that did not note it (a batch
         * in flight across the upgrade) has none: that one replay is held to the clock now.
         */
        private long firstReadAt(M meta) {
            if (meta instanceof Map<?, ?> map && map.get(FIRST_READ_AT) instanceof Number readAt) {
                return readAt.longValue();
            }
            return clock.getAsLong();
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
