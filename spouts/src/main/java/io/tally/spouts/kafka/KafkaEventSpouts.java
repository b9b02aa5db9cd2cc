package io.tally.spouts.kafka;

import io.tally.spouts.RawRecordFields;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.storm.kafka.spout.FirstPollOffsetStrategy;
import org.apache.storm.kafka.spout.Func;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutConfig;

/**
 * Builds storm-kafka-client's Trident spout the way Tally reads events: raw bytes (parsing is the
 * bolts' job, so a bad record becomes a rejection rather than a deserializer failure) emitted as
 * {@link RawRecordFields}.
 *
 * <p>Progress lives in Trident's ZooKeeper state, not in Kafka consumer offsets (this spout never commits
 * them). {@link FirstPollOffsetStrategy#UNCOMMITTED_EARLIEST} therefore means: start at the beginning of
 * the topic the first time, and after that always continue from the batch metadata in ZooKeeper, across
 * restarts and redeploys.
 *
 * <p>Only committed records are read ({@code isolation.level=read_committed}): records of an aborted transaction
 * are skipped, and a partition is read only up to its oldest open transaction, so a producer that leaves one
 * open holds that partition back until the broker aborts it ({@code transaction.timeout.ms}). A consumer
 * property {@code isolation.level} overrides it.
 */
public final class KafkaEventSpouts {
    private KafkaEventSpouts() {
    }

    /**
     * The spout Tally runs: transactional, replaying exactly the records of the first attempt (see
     * {@link ExactReplayKafkaSpout} for why).
     */
    public static ExactReplayKafkaSpout exactReplay(KafkaSpoutSettings settings) {
        return new ExactReplayKafkaSpout(config(settings), RawRecordFields.FIELDS);
    }

    static KafkaTridentSpoutConfig<byte[], byte[]> config(KafkaSpoutSettings settings) {
        KafkaTridentSpoutConfig.Builder<byte[], byte[]> builder =
                new KafkaTridentSpoutConfig.Builder<byte[], byte[]>(settings.bootstrapServers(),
                        settings.topics().toArray(String[]::new))
                        .setProp(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)
                        .setProp(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)
                        .setProp(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords())
                        .setProp(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, settings.maxPartitionFetchBytes())
                        .setProp(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, settings.fetchMaxBytes())
                        // A transactional producer's aborted records are not events; without this they count.
                        .setProp(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                        .setPollTimeoutMs(settings.pollTimeoutMs())
                        .setPartitionRefreshPeriodMs(settings.partitionRefreshPeriodMs())
                        .setFirstPollOffsetStrategy(FirstPollOffsetStrategy.UNCOMMITTED_EARLIEST)
                        .setRecordTranslator(new ToRawRecord(), RawRecordFields.FIELDS);
        settings.consumerProperties().forEach(builder::setProp);
        return builder.build();
    }

    /** One Kafka record as {@link RawRecordFields}; a null value (tombstone) becomes an empty payload. */
    static final class ToRawRecord implements Func<ConsumerRecord<byte[], byte[]>, List<Object>> {
        private static final long serialVersionUID = 1L;
        private static final byte[] EMPTY = new byte[0];
        /** The last record's partition and its source name: the emitter hands over one partition's records at a time. */
        private transient String lastTopic;
        private transient int lastPartition;
        private transient String lastSource;

        @Override
        public List<Object> apply(ConsumerRecord<byte[], byte[]> record) {
            byte[] payload = record.value() == null ? EMPTY : record.value();
            if (lastSource == null || record.partition() != lastPartition || !record.topic().equals(lastTopic)) {
                lastTopic = record.topic();
                lastPartition = record.partition();
                lastSource = source(lastTopic, lastPartition);
            }
            return List.of(payload, lastSource, record.offset(), record.timestamp());
        }

        static String source(String topic, int partition) {
            return "kafka:" + topic + ":" + partition;
        }
    }
}
