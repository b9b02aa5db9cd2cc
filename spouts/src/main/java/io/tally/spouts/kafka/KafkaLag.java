package io.tally.spouts.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.storm.metric.api.IMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Storm metric {@code tally.spout.kafka.lag}: per topic, the records of an emitter task's partitions that no
 * batch has read yet (the end offsets, read_committed, less where the last batch stopped), measured after a batch at
 * most every {@link #INTERVAL}. It runs ahead of {@code tally status}, which counts from the last committed batch,
 * by the batches in flight.
 */
final class KafkaLag implements IMetric, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLag.class);
    static final Duration INTERVAL = Duration.ofSeconds(10);
    /** How long a request for the end offsets may take before it counts as failed. */
    static final long TIMEOUT_MILLIS = 2_000;

    private final Map<String, Object> kafkaProps;
    private final LongSupplier nanoTime;
    private final Map<String, Long> lagByTopic = new ConcurrentHashMap<>();
    private Admin admin;
    private long lastMeasured;
    private volatile boolean failureLogged;

    KafkaLag(Map<String, Object> kafkaProps, LongSupplier nanoTime) {
        this.kafkaProps = kafkaProps;
        this.nanoTime = nanoTime;
        this.lastMeasured = nanoTime.getAsLong() - INTERVAL.toNanos();
    }

    /** After a batch: {@code next} is where the next batch starts reading each partition of this task. */
    void afterBatch(Map<TopicPartition, Long> next) {
        long now = nanoTime.getAsLong();
        if (now - lastMeasured < INTERVAL.toNanos() || next.isEmpty()) {
            return;
        }
        lastMeasured = now;
        Map<TopicPartition, Long> from = Map.copyOf(next);
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            from.keySet().forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            // Asked without waiting: the spout's thread emits the next batch while the broker answers.
            admin().listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .whenComplete((ends, failure) -> {
                        if (failure != null) {
                            logFailureOnce(failure);
                            return;
                        }
                        Map<String, Long> lag = new HashMap<>();
                        ends.forEach((partition, end) -> lag.merge(partition.topic(),
                                Math.max(0, end.offset() - from.get(partition)), Long::sum));
                        lagByTopic.putAll(lag);
                    });
        } catch (RuntimeException e) {
            logFailureOnce(e); // the lag is for operators; a batch never waits or fails for it
        }
    }

    private void logFailureOnce(Throwable failure) {
        if (!failureLogged) {
            LOG.warn("Cannot read Kafka's end offsets for the lag metric (tried again every {} s): {}",
                    INTERVAL.toSeconds(), failure.toString());
            failureLogged = true;
        }
    }

    private Admin admin() {
        if (admin == null) {
            Map<String, Object> props = new HashMap<>(kafkaProps);
            props.keySet().removeIf(key -> key.startsWith("key.") || key.startsWith("value.")
                    || key.equals("group.id") || key.equals("enable.auto.commit") || key.equals("auto.offset.reset")
                    || key.startsWith("max.poll") || key.startsWith("fetch.") || key.equals("isolation.level"));
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MILLIS);
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT_MILLIS);
            admin = Admin.create(props);
        }
        return admin;
    }

    @Override
    public Object getValueAndReset() {
        return lagByTopic.isEmpty() ? null : new HashMap<>(lagByTopic);
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
