package io.tally.spouts.kafka;

import io.tally.spouts.RawRecordFields;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.WatchingCollector;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutBatchMetadata;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutConfig;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutCoordinator;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutEmitter;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutTopicPartition;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.FailedException;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.spout.IPartitionedTridentSpout;
import org.apache.storm.trident.topology.TransactionAttempt;
import org.apache.storm.tuple.Fields;

/**
 * storm-kafka-client's transactional Trident spout, with a replay that always re-reads its whole batch.
 *
 * <p><b>Why transactional.</b> Trident's opaque state is exact only when a replayed batch touches every key its
 * failed attempt touched: a key written by a failed attempt and absent from a recomposed replay keeps the failed
 * attempt's value, and the records behind it are counted again when they arrive in a later batch. An opaque Kafka
 * spout recomposes replays whenever a poll returns a different number of records, so a batch that fails after some
 * of its state writes (a Cassandra timeout, a lost worker) could double-count. A transactional spout replays
 * exactly the same records — Trident stores each batch's offsets in ZooKeeper before the batch is processed — so
 * every replay rewrites the same keys. The cost: a batch whose records are gone from Kafka (retention) cannot be
 * replayed and stops the topology, which is the right failure for a pipeline that promises exact numbers.
 *
 * <p><b>Why the wrapper.</b> Two gaps in storm-kafka-client's transactional replay, both seen in Tally's replay
 * tests: its re-emit polls once, and the first poll after a seek often returns nothing, so the replayed batch
 * silently lost its records; here the re-emit repeats until the batch's last offset has been emitted, each offset
 * once. And an empty batch is recorded as a batch holding the previous batch's last record (first = last = the
 * position before the next record), which a replay would emit a second time; here an empty batch is marked as
 * such in its metadata and replays as empty.
 */
public final class ExactReplayKafkaSpout implements IPartitionedTridentSpout<List<Map<String, Object>>,
        KafkaTridentSpoutTopicPartition, Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    /** Re-reads per replayed partition batch before the batch is failed (and tried again later). */
    static final int MAX_REREADS = 20;
    /** Marks the metadata of a partition that gave a batch no records. */
    static final String EMPTY_BATCH = "tallyEmptyBatch";
    /** Storm metric: records not yet read, per topic (see {@link KafkaLag}). */
    public static final String LAG_METRIC = "tally.spout.kafka.lag";

    private final KafkaTridentSpoutConfig<byte[], byte[]> config;
    private final Fields fields;

    ExactReplayKafkaSpout(KafkaTridentSpoutConfig<byte[], byte[]> config, Fields fields) {
        this.config = config;
        this.fields = fields;
    }

    @Override
    public Coordinator<List<Map<String, Object>>> getCoordinator(Map<String, Object> conf, TopologyContext context) {
        return new KafkaTridentSpoutCoordinator<>(config);
    }

    @Override
    public Emitter<List<Map<String, Object>>, KafkaTridentSpoutTopicPartition, Map<String, Object>> getEmitter(
            Map<String, Object> conf, TopologyContext context) {
        KafkaLag lag = SpoutMetrics.register(context, conf, LAG_METRIC, new KafkaLag(config.getKafkaProps(),
                System::nanoTime));
        return new CompleteReplayEmitter(new KafkaTridentSpoutEmitter<>(config, context), lag);
    }

    @Override
    public Map<String, Object> getComponentConfiguration() {
        return null;
    }

    @Override
    public Fields getOutputFields() {
        return fields;
    }

    static final class CompleteReplayEmitter implements Emitter<List<Map<String, Object>>,
            KafkaTridentSpoutTopicPartition, Map<String, Object>> {
        private final KafkaTridentSpoutEmitter<byte[], byte[]> kafka;
        private final KafkaLag lag;

        CompleteReplayEmitter(KafkaTridentSpoutEmitter<byte[], byte[]> kafka, KafkaLag lag) {
            this.kafka = kafka;
            this.lag = lag;
        }

        @Override
        public List<KafkaTridentSpoutTopicPartition> getOrderedPartitions(List<Map<String, Object>> allPartitionInfo) {
            return kafka.getOrderedPartitions(allPartitionInfo);
        }

        @Override
        public List<KafkaTridentSpoutTopicPartition> getPartitionsForTask(int taskId, int numTasks,
                List<KafkaTridentSpoutTopicPartition> allPartitionInfoSorted) {
            return kafka.getPartitionsForTask(taskId, numTasks, allPartitionInfoSorted);
        }

        @Override
        public Map<KafkaTridentSpoutTopicPartition, Map<String, Object>> emitBatchNew(TransactionAttempt tx,
                TridentCollector collector, Set<KafkaTridentSpoutTopicPartition> partitions,
                Map<KafkaTridentSpoutTopicPartition, Map<String, Object>> lastPartitionMetaMap) {
            SourcesSeen seen = new SourcesSeen(collector);
            Map<KafkaTridentSpoutTopicPartition, Map<String, Object>> metas =
                    new HashMap<>(kafka.emitBatchNew(tx, seen, partitions, lastPartitionMetaMap));
            metas.replaceAll((partition, meta) -> {
                String source = KafkaEventSpouts.ToRawRecord.source(partition.getTopicPartition().topic(),
                        partition.getTopicPartition().partition());
                if (seen.sources.contains(source)) {
                    return meta;
                }
                Map<String, Object> empty = new HashMap<>(meta);
                empty.put(EMPTY_BATCH, Boolean.TRUE);
                return empty;
            });
            Map<TopicPartition, Long> next = new HashMap<>();
            metas.forEach((partition, meta) -> next.put(partition.getTopicPartition(),
                    KafkaTridentSpoutBatchMetadata.fromMap(meta).getLastOffset() + 1));
            lag.afterBatch(next);
            return metas;
        }

        @Override
        public void refreshPartitions(List<KafkaTridentSpoutTopicPartition> partitionResponsibilities) {
            kafka.refreshPartitions(partitionResponsibilities);
        }

        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector,
                KafkaTridentSpoutTopicPartition partition, Map<String, Object> partitionMeta) {
            if (partitionMeta == null || Boolean.TRUE.equals(partitionMeta.get(EMPTY_BATCH))) {
                return; // the partition was not part of this batch, or gave it no records
            }
            long last = KafkaTridentSpoutBatchMetadata.fromMap(partitionMeta).getLastOffset();
            OnceEachOffset once = new OnceEachOffset(collector);
            for (int read = 0; read < MAX_REREADS && once.emittedUpTo() < last; read++) {
                kafka.reEmitPartitionBatch(tx, once, partition, partitionMeta);
            }
            if (once.emittedUpTo() < last) {
                throw new FailedException("Replaying batch " + tx + " of " + partition.getId() + " needs offsets up to "
                        + last + " but Kafka returned records only up to " + once.emittedUpTo() + " in " + MAX_REREADS
                        + " reads; the batch will be tried again (if the records were deleted by retention, Tally"
                        + " cannot replay it exactly and stops here)");
            }
        }

        @Override
        public void close() {
            lag.close();
            kafka.close();
        }
    }

    /** Passes every tuple on, noting the sources (Kafka partitions) that gave any. */
    static final class SourcesSeen extends WatchingCollector {
        private static final int SOURCE_INDEX = RawRecordFields.FIELDS.fieldIndex(RawRecordFields.SOURCE);
        final Set<String> sources = new HashSet<>();

        SourcesSeen(TridentCollector delegate) {
            super(delegate);
        }

        @Override
        public void emit(List<Object> values) {
            sources.add((String) values.get(SOURCE_INDEX));
            delegate.emit(values);
        }
    }

    /** Passes each Kafka offset on once, however often a re-read delivers it. */
    static final class OnceEachOffset extends WatchingCollector {
        private static final int POSITION_INDEX = RawRecordFields.FIELDS.fieldIndex(RawRecordFields.POSITION);
        private long emittedUpTo = Long.MIN_VALUE;

        OnceEachOffset(TridentCollector delegate) {
            super(delegate);
        }

        long emittedUpTo() {
            return emittedUpTo;
        }

        @Override
        public void emit(List<Object> values) {
            long offset = ((Number) values.get(POSITION_INDEX)).longValue();
            if (offset > emittedUpTo) {
                emittedUpTo = offset;
                delegate.emit(values);
            }
        }
    }
}
