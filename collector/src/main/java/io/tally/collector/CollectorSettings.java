package io.tally.collector;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the collector is configured with; see the {@code collector:} section of {@code deploy/tally.yaml}.
 *
 * @param sourcesByWriteKey each accepted write key and the name of the source it stands for
 * @param maxMessageBytes the largest record one message may become, as written to Kafka (Segment: 32 KB)
 * @param maxBatchBytes the largest request body, compressed or not (Segment: 500 KB)
 * @param eventsPerSecond the sustained events per second one write key may send; 0 for no limit
 * @param burstEvents how many events one write key may send at once above that rate
 * @param workerThreads the threads that decode, check and hand requests to Kafka
 * @param maxQueuedRequests requests waiting for a worker thread; beyond it the collector answers 503
 * @param maxConnections open connections; one more is answered 503 and closed
 * @param requestTimeoutMillis how long a client may take to send one whole request
 * @param idleTimeoutMillis how long a keep-alive connection may stay idle
 * @param kafkaTimeoutMillis how long a request may wait for Kafka: for metadata or buffer space, and then for the acks
 * @param retryAfterSeconds what a 503 tells the client to wait
 * @param producerProperties further Kafka producer properties (security, compression), passed through
 */
public record CollectorSettings(String bind, int port, String bootstrapServers, String topic,
        Map<String, String> sourcesByWriteKey, int maxMessageBytes, int maxBatchBytes, long eventsPerSecond,
        long burstEvents, int workerThreads, int maxQueuedRequests, int maxConnections, long requestTimeoutMillis,
        long idleTimeoutMillis, long kafkaTimeoutMillis, int retryAfterSeconds, Map<String, String> producerProperties) {

    public static final int DEFAULT_PORT = 8088;
    public static final int SEGMENT_MESSAGE_LIMIT = 32 * 1024;
    public static final int SEGMENT_BATCH_LIMIT = 500 * 1024;
    /** Each connection may hold one body of up to max_batch_bytes while it arrives: 1,000 × 500 KB at most. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1_000;

    public CollectorSettings {
        Objects.requireNonNull(bind, "bind");
        require(!bootstrapServers.isBlank(), "kafka.bootstrap_servers", "is required");
        require(!topic.isBlank(), "collector.topic", "is required (or a kafka.topics entry)");
        require(port >= 0 && port <= 65_535, "collector.port", "must be 0..65535, was " + port);
        require(!sourcesByWriteKey.isEmpty(), "collector.sources",
                "needs at least one {name, write_key}: without one every request is refused");
        sourcesByWriteKey.forEach((key, name) -> {
            require(key != null && !key.isBlank(), "collector.sources", "a write_key is empty");
            require(name != null && !name.isBlank(), "collector.sources", "a source has no name");
        });
        require(maxMessageBytes > 0, "collector.max_message_bytes", "must be positive, was " + maxMessageBytes);
        require(maxBatchBytes >= maxMessageBytes, "collector.max_batch_bytes",
                "must be at least max_message_bytes (" + maxMessageBytes + "), was " + maxBatchBytes);
        require(eventsPerSecond >= 0, "collector.rate_limit.events_per_second", "must not be negative");
        require(eventsPerSecond == 0 || burstEvents > 0, "collector.rate_limit.burst", "must be positive");
        require(workerThreads > 0, "collector.worker_threads", "must be positive, was " + workerThreads);
        require(maxQueuedRequests > 0, "collector.max_queued_requests", "must be positive, was " + maxQueuedRequests);
        require(maxConnections > 0, "collector.max_connections", "must be positive, was " + maxConnections);
        require(requestTimeoutMillis > 0, "collector.request_timeout_ms", "must be positive");
        require(idleTimeoutMillis > 0, "collector.idle_timeout_ms", "must be positive");
        require(kafkaTimeoutMillis >= 100, "collector.kafka_timeout_ms", "must be at least 100");
        require(retryAfterSeconds > 0, "collector.retry_after_secs", "must be positive");
        sourcesByWriteKey = Map.copyOf(sourcesByWriteKey);
        producerProperties = Map.copyOf(producerProperties);
    }

    /** Settings at their defaults: Segment's limits, no rate limit, 127.0.0.1:8088. */
    public static Builder builder(String bootstrapServers, String topic) {
        return new Builder(bootstrapServers, topic);
    }

    public Builder toBuilder() {
        Builder b = new Builder(bootstrapServers, topic);
        b.bind = bind;
        b.port = port;
        b.sources.putAll(sourcesByWriteKey);
        b.maxMessageBytes = maxMessageBytes;
        b.maxBatchBytes = maxBatchBytes;
        b.eventsPerSecond = eventsPerSecond;
        b.burstEvents = burstEvents;
        b.workerThreads = workerThreads;
        b.maxQueuedRequests = maxQueuedRequests;
        b.maxConnections = maxConnections;
        b.requestTimeoutMillis = requestTimeoutMillis;
        b.idleTimeoutMillis = idleTimeoutMillis;
        b.kafkaTimeoutMillis = kafkaTimeoutMillis;
        b.retryAfterSeconds = retryAfterSeconds;
        b.producer.putAll(producerProperties);
        return b;
    }

    @Override
    public String toString() { // the write keys are secrets
        return "CollectorSettings[" + bind + ":" + port + " -> " + bootstrapServers + "/" + topic + ", sources "
                + sourcesByWriteKey.values() + "]";
    }

    private static void require(boolean condition, String key, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(key + ": " + problem);
        }
    }

    public static final class Builder {
        private final String bootstrapServers;
        private final String topic;
        private String bind = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private final Map<String, String> sources = new LinkedHashMap<>();
        private int maxMessageBytes = SEGMENT_MESSAGE_LIMIT;
        private int maxBatchBytes = SEGMENT_BATCH_LIMIT;
        private long eventsPerSecond;
        private long burstEvents;
        private int workerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int maxQueuedRequests = 64;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private long requestTimeoutMillis = 10_000;
        private long idleTimeoutMillis = 60_000;
        private long kafkaTimeoutMillis = 10_000;
        private int retryAfterSeconds = 5;
        private final Map<String, String> producer = new LinkedHashMap<>();

        private Builder(String bootstrapServers, String topic) {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            this.topic = Objects.requireNonNull(topic, "topic");
        }

        public Builder bind(String bind) {
            this.bind = bind;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder source(String name, String writeKey) {
            sources.put(writeKey, name);
            return this;
        }

        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        public Builder maxBatchBytes(int bytes) {
            this.maxBatchBytes = bytes;
            return this;
        }

        public Builder rateLimit(long eventsPerSecond, long burstEvents) {
            this.eventsPerSecond = eventsPerSecond;
            this.burstEvents = burstEvents;
            return this;
        }

        public Builder workerThreads(int threads) {
            this.workerThreads = threads;
            return this;
        }

        public Builder maxQueuedRequests(int requests) {
            this.maxQueuedRequests = requests;
            return this;
        }

        public Builder maxConnections(int connections) {
            this.maxConnections = connections;
            return this;
        }

        public Builder requestTimeoutMillis(long millis) {
            this.requestTimeoutMillis = millis;
            return this;
        }

        public Builder idleTimeoutMillis(long millis) {
            this.idleTimeoutMillis = millis;
            return this;
        }

        public Builder kafkaTimeoutMillis(long millis) {
            this.kafkaTimeoutMillis = millis;
            return this;
        }

        public Builder retryAfterSeconds(int seconds) {
            this.retryAfterSeconds = seconds;
            return this;
        }

        public Builder producerProperty(String name, String value) {
            producer.put(name, value);
            return this;
        }

        public CollectorSettings build() {
            return new CollectorSettings(bind, port, bootstrapServers, topic, sources, maxMessageBytes, maxBatchBytes,
                    eventsPerSecond, burstEvents, workerThreads, maxQueuedRequests, maxConnections, requestTimeoutMillis,
                    idleTimeoutMillis, kafkaTimeoutMillis, retryAfterSeconds, producer);
        }
    }
}
