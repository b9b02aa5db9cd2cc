package io.tally.collector;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records with an idempotent producer acknowledged by all in-sync replicas, so an acknowledged request is
 * in Kafka even if the leader fails next, and the producer's own retries add no duplicates. Every wait is bounded
 * by {@link CollectorSettings#kafkaTimeoutMillis()}: for metadata or buffer space ({@code max.block.ms}), and for
 * the acknowledgements ({@code delivery.timeout.ms}); the producer's buffer bounds the memory of what waits.
 */
public final class KafkaSink implements EventSink {
    /** The Kafka record header naming the source (the write key's name) a message came from. */
    public static final String SOURCE_HEADER = "tally-source";
    private static final int LINGER_MS = 5;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final long timeoutMillis;
    private final Duration closeTimeout;

    public KafkaSink(CollectorSettings settings) {
        this.producer = new KafkaProducer<>(producerConfig(settings), new ByteArraySerializer(),
                new ByteArraySerializer());
        this.topic = settings.topic();
        this.timeoutMillis = settings.kafkaTimeoutMillis();
        this.closeTimeout = Duration.ofMillis(timeoutMillis);
    }

    static Map<String, Object> producerConfig(CollectorSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.producerProperties());
        long timeout = settings.kafkaTimeoutMillis();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "tally-collector");
        // Not overridable: the collector's 200 promises what these give.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        // As strings: Kafka parses them to the type each property has (some int, some long).
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.min(Integer.MAX_VALUE, timeout)));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        long linger = Long.parseLong(String.valueOf(config.get(ProducerConfig.LINGER_MS_CONFIG)));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, Math.min(30_000, timeout - linger))));
        config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Math.max(1024 * 1024, settings.maxBatchBytes() + 64 * 1024));
        return config;
    }

    @Override
    public CompletableFuture<Void> publish(String source, List<EventRecord> records) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (records.isEmpty()) {
            done.complete(null);
            return done;
        }
        AtomicInteger pending = new AtomicInteger(records.size());
        byte[] sourceName = source.getBytes(StandardCharsets.UTF_8);
        // Each send may wait up to max.block.ms for metadata or buffer space; all of them together no longer.
        long sendDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (EventRecord record : records) {
            if (System.nanoTime() - sendDeadline > 0) {
                done.completeExceptionally(new TimeoutException("the records could not all be handed to the producer"
                        + " within " + timeoutMillis + " ms (metadata or buffer space)"));
                break;
            }
            RecordHeaders headers = new RecordHeaders();
            headers.add(SOURCE_HEADER, sourceName);
            try {
                producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers),
                        (metadata, error) -> {
                            if (error != null) {
                                done.completeExceptionally(error);
                            } else if (pending.decrementAndGet() == 0) {
                                done.complete(null);
                            }
                        });
            } catch (RuntimeException notQueued) { // no metadata or buffer space within max.block.ms
                done.completeExceptionally(notQueued);
                break;
            }
        }
        return done;
    }

    /** Gives records still in the producer's buffer the Kafka timeout to be acknowledged; their requests fail after. */
    @Override
    public void close() {
        producer.close(closeTimeout);
    }
}
