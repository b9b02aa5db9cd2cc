package io.tally.it.support;

import io.tally.local.sample.GeneratedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes events to a topic, spreading them round-robin over its partitions, and waits until all are acknowledged. */
public final class KafkaEvents implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final int partitions;
    private long sent;

    public KafkaEvents(String bootstrapServers, String topic, int partitions) {
        this(bootstrapServers, topic, partitions, 1024 * 1024);
    }

    /** @param maxRecordBytes the largest record to send (the topic's {@code max.message.bytes} must allow it too) */
    public KafkaEvents(String bootstrapServers, String topic, int partitions, int maxRecordBytes) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                // Idempotent, acknowledged by all replicas: the topic holds each event exactly once.
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes + 1024 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L * 1024 * 1024, 4L * maxRecordBytes)),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.partitions = partitions;
    }

    public void send(List<GeneratedEvent> events) {
        sendPayloads(events.stream().map(GeneratedEvent::json).toList());
    }

    /** Sends raw payloads and returns where each landed (partition and offset), in order. */
    public List<RecordMetadata> sendPayloads(List<byte[]> payloads) {
        List<Future<RecordMetadata>> sends = new ArrayList<>(payloads.size());
        for (byte[] payload : payloads) {
            sends.add(producer.send(new ProducerRecord<>(topic, (int) (sent++ % partitions), null, payload)));
        }
        producer.flush();
        List<RecordMetadata> landed = new ArrayList<>(sends.size());
        try {
            for (Future<RecordMetadata> send : sends) {
                landed.add(send.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing to " + topic + " failed", e.getCause());
        }
        return landed;
    }

    @Override
    public void close() {
        producer.close();
    }
}
