package io.tally.local;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and on which ports the local stack runs. Defaults are the servers' usual ports and
 * {@code .tally-local} in the working directory; tests use {@link Builder#ephemeralPorts()}.
 */
public final class LocalStackConfig {
    private final Path dataDir;
    private final int kafkaPort;
    private final int kafkaControllerPort;
    private final int cassandraNativePort;
    private final int cassandraStoragePort;
    private final String kafkaHeap;
    private final String cassandraHeap;

    private LocalStackConfig(Builder b) {
        this.dataDir = b.dataDir;
        this.kafkaPort = b.kafkaPort;
        this.kafkaControllerPort = b.kafkaControllerPort;
        this.cassandraNativePort = b.cassandraNativePort;
        this.cassandraStoragePort = b.cassandraStoragePort;
        this.kafkaHeap = b.kafkaHeap;
        this.cassandraHeap = b.cassandraHeap;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path dataDir() {
        return dataDir;
    }

    public int kafkaPort() {
        return kafkaPort;
    }

    public int kafkaControllerPort() {
        return kafkaControllerPort;
    }

    public int cassandraNativePort() {
        return cassandraNativePort;
    }

    public int cassandraStoragePort() {
        return cassandraStoragePort;
    }

    public String kafkaHeap() {
        return kafkaHeap;
    }

    public String cassandraHeap() {
        return cassandraHeap;
    }

    public static final class Builder {
        private Path dataDir = Path.of(".tally-local");
        private int kafkaPort = 9092;
        private int kafkaControllerPort = 9093;
        private int cassandraNativePort = 9042;
        private int cassandraStoragePort = 7000;
        private String kafkaHeap = "1g";
        private String cassandraHeap = "1g";

        private Builder() {
        }

        /** Default {@code .tally-local}: {@code kafka/}, {@code cassandra/}, {@code zookeeper/} and {@code logs/} go under it. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Default 9092. */
        public Builder kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        /** Default 9093. */
        public Builder kafkaControllerPort(int port) {
            this.kafkaControllerPort = port;
            return this;
        }

        /** Default 9042. */
        public Builder cassandraNativePort(int port) {
            this.cassandraNativePort = port;
            return this;
        }

        /** Default 7000. */
        public Builder cassandraStoragePort(int port) {
            this.cassandraStoragePort = port;
            return this;
        }

        /** Every port chosen free at start, so tests never collide with a developer's running stack. */
        public Builder ephemeralPorts() {
            return kafkaPort(0).kafkaControllerPort(0).cassandraNativePort(0).cassandraStoragePort(0);
        }

        /** Default 1g each. */
        public Builder heaps(String kafka, String cassandra) {
            this.kafkaHeap = Objects.requireNonNull(kafka, "kafka heap");
            this.cassandraHeap = Objects.requireNonNull(cassandra, "cassandra heap");
            return this;
        }

        public LocalStackConfig build() {
            return new LocalStackConfig(this);
        }
    }
}
