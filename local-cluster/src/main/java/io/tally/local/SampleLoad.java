package io.tally.local;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Loads the sample into the topic once: when the topic already holds records (a second run on the same
 * data directory), they are counted already and the sample is not produced again.
 */
final class SampleLoad {
    private SampleLoad() {
    }

    static void into(String bootstrapServers, String topic, int partitions, List<byte[]> sample, Console console)
            throws ExecutionException, InterruptedException {
        long existing = recordsIn(bootstrapServers, topic, partitions);
        if (existing > 0) {
            console.done("topic '" + topic + "' already holds " + existing + " events from an earlier run; not loading the sample again");
            return;
        }
        console.step("Loading the bundled sample (" + sample.size() + " events) into topic '" + topic + "'");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < sample.size(); i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, sample.get(i)));
            }
            producer.flush();
        }
        long loaded = recordsIn(bootstrapServers, topic, partitions);
        console.done(loaded + " events in topic '" + topic + "' across " + partitions + " partitions");
    }

    /** Every record the topic holds now, read from its start (no consumer group: nothing is committed). */
    static void forEachRecord(String bootstrapServers, String topic, int partitions, Consumer<byte[]> record) {
        List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> end = consumer.endOffsets(all);
            while (all.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> read : consumer.poll(Duration.ofMillis(500))) {
                    record.accept(read.value());
                }
            }
        }
    }

    private static long recordsIn(String bootstrapServers, String topic, int partitions)
            throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            Map<TopicPartition, OffsetSpec> earliest = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.earliest()));
            long end = admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            long start = admin.listOffsets(earliest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            return end - start;
        }
    }
}
