package io.tally.spouts.kafka;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * What the Kafka spout reads and how it fetches. Immutable; every default is set, and explained, in
 * {@link Builder}.
 *
 * <p>The defaults are tuned for throughput. Trident's own defaults (500 records per poll, one poll per
 * batch) cap a spout near a thousand events a second; a batch here is one large poll per partition.
 */
public final class KafkaSpoutSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Parts of a property name (between dots, dashes and underscores) that mark its value secret. */
    private static final Set<String> SECRET_NAME_PARTS = Set.of("key", "token", "credential", "credentials",
            "passphrase", "auth", "pass", "pwd");
    /** Words that mark a property's value secret wherever they appear in its name. */
    private static final List<String> SECRET_NAME_WORDS = List.of("password", "passwd", "secret", "jaas");

    private final String bootstrapServers;
    private final List<String> topics;
    private final int maxPollRecords;
    private final int maxPartitionFetchBytes;
    private final int fetchMaxBytes;
    private final long pollTimeoutMs;
    private final long partitionRefreshPeriodMs;
    private final Map<String, String> consumerProperties;

    private KafkaSpoutSettings(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topics = List.copyOf(b.topics);
        this.maxPollRecords = b.maxPollRecords;
        this.maxPartitionFetchBytes = b.maxPartitionFetchBytes;
        this.fetchMaxBytes = b.fetchMaxBytes;
        this.pollTimeoutMs = b.pollTimeoutMs;
        this.partitionRefreshPeriodMs = b.partitionRefreshPeriodMs;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
    }

    public static Builder builder(String bootstrapServers, List<String> topics) {
        return new Builder(bootstrapServers, topics);
    }

    /**
     * The same topics and settings read from other brokers, keeping only the consumer properties {@code keep}
     * accepts (the local runner drops the security properties meant for a production cluster).
     */
    public KafkaSpoutSettings at(String otherBootstrapServers, Predicate<String> keep) {
        Builder builder = builder(otherBootstrapServers, topics).maxPollRecords(maxPollRecords)
                .maxPartitionFetchBytes(maxPartitionFetchBytes).fetchMaxBytes(fetchMaxBytes)
                .pollTimeoutMs(pollTimeoutMs).partitionRefreshPeriodMs(partitionRefreshPeriodMs);
        consumerProperties.forEach((key, value) -> {
            if (keep.test(key)) {
                builder.consumerProperty(key, value);
            }
        });
        return builder.build();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public List<String> topics() {
        return topics;
    }

    public int maxPollRecords() {
        return maxPollRecords;
    }

    public int maxPartitionFetchBytes() {
        return maxPartitionFetchBytes;
    }

    public int fetchMaxBytes() {
        return fetchMaxBytes;
    }

    public long pollTimeoutMs() {
        return pollTimeoutMs;
    }

    public long partitionRefreshPeriodMs() {
        return partitionRefreshPeriodMs;
    }

    /** Extra consumer properties (security, client id, …), applied last so they can override anything. */
    public Map<String, String> consumerProperties() {
        return consumerProperties;
    }

    /** The consumer properties with secret values replaced by {@code ****}, for logs and dry runs. */
    public Map<String, String> maskedConsumerProperties() {
        Map<String, String> masked = new TreeMap<>();
        consumerProperties.forEach((key, value) -> masked.put(key, isSecret(key) ? "****" : value));
        return masked;
    }

    /**
     * Whether a consumer property holds a secret. Kafka's own properties are secret exactly when Kafka types them
     * as passwords (so {@code key.deserializer} or {@code ssl.keystore.location} stay readable, and a password
     * Kafka adds later is masked without a change here); any other property (a plugin's, a schema registry's) is
     * secret when its name says password, secret, jaas, key, token, credentials, passphrase or auth.
     */
    static boolean isSecret(String property) {
        ConfigDef.ConfigKey known = ConsumerConfig.configDef().configKeys().get(property);
        if (known != null) {
            return known.type == ConfigDef.Type.PASSWORD;
        }
        String name = property.toLowerCase(Locale.ROOT);
        return SECRET_NAME_WORDS.stream().anyMatch(name::contains)
                || Arrays.stream(name.split("[._-]")).anyMatch(SECRET_NAME_PARTS::contains);
    }

    @Override
    public String toString() {
        return "KafkaSpoutSettings{bootstrapServers=" + bootstrapServers + ", topics=" + topics
                + ", maxPollRecords=" + maxPollRecords + ", maxPartitionFetchBytes=" + maxPartitionFetchBytes
                + ", fetchMaxBytes=" + fetchMaxBytes + ", pollTimeoutMs=" + pollTimeoutMs
                + ", partitionRefreshPeriodMs=" + partitionRefreshPeriodMs
                + ", consumerProperties=" + maskedConsumerProperties() + "}";
    }

    public static final class Builder {
        private final String bootstrapServers;
        private final List<String> topics;
        private int maxPollRecords = 100_000;
        private int maxPartitionFetchBytes = 32 * 1024 * 1024;
        private int fetchMaxBytes = 64 * 1024 * 1024;
        private long pollTimeoutMs = 200;
        private long partitionRefreshPeriodMs = 30_000;
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();

        private Builder(String bootstrapServers, List<String> topics) {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("Kafka bootstrap servers must not be empty");
            }
            if (topics == null || topics.isEmpty() || topics.stream().anyMatch(t -> t == null || t.isBlank())) {
                throw new IllegalArgumentException("Kafka topics must be a non-empty list of topic names");
            }
            this.bootstrapServers = bootstrapServers.trim();
            this.topics = List.copyOf(topics);
        }

        /**
         * Default 100,000: a batch is one poll per partition, so this is the most records a partition
         * contributes to one batch. Large batches amortise Trident's per-batch coordination and the
         * state's per-batch Cassandra round trips.
         */
        public Builder maxPollRecords(int records) {
            this.maxPollRecords = positive(records, "max poll records");
            return this;
        }

        /** Default 32 MiB: lets one fetch fill a large batch instead of many 1 MiB round trips. */
        public Builder maxPartitionFetchBytes(int bytes) {
            this.maxPartitionFetchBytes = positive(bytes, "max partition fetch bytes");
            return this;
        }

        /** Default 64 MiB: must not be lower than the per-partition limit times the partitions fetched together. */
        public Builder fetchMaxBytes(int bytes) {
            this.fetchMaxBytes = positive(bytes, "fetch max bytes");
            return this;
        }

        /** Default 200 ms: how long an empty partition's poll waits, which is what an idle batch costs. */
        public Builder pollTimeoutMs(long millis) {
            this.pollTimeoutMs = positive(millis, "poll timeout");
            return this;
        }

        /** Default 30 s: how soon partitions added to a topic are noticed. */
        public Builder partitionRefreshPeriodMs(long millis) {
            this.partitionRefreshPeriodMs = positive(millis, "partition refresh period");
            return this;
        }

        /** Any other consumer property, e.g. {@code security.protocol}; applied after Tally's own. */
        public Builder consumerProperty(String key, String value) {
            consumerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key));
            return this;
        }

        public Builder consumerProperties(Map<String, String> properties) {
            properties.forEach(this::consumerProperty);
            return this;
        }

        public KafkaSpoutSettings build() {
            return new KafkaSpoutSettings(this);
        }

        private static int positive(int value, String what) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }

        private static long positive(long value, String what) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }
    }
}
