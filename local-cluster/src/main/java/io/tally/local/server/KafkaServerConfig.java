package io.tally.local.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A local single-node Kafka broker (KRaft, broker and controller in one JVM).
 *
 * @param dataDir where the broker keeps its log segments and metadata; reused on restart
 * @param port the client listener; 0 picks a free port
 * @param controllerPort the KRaft controller listener; 0 picks a free port
 * @param heap the broker's -Xmx (and -Xms)
 * @param startTimeout how long start-up may take before it is reported as failed
 */
public record KafkaServerConfig(Path dataDir, int port, int controllerPort, String heap, Duration startTimeout) {

    public KafkaServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(heap, "heap");
        Objects.requireNonNull(startTimeout, "startTimeout");
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    public static final class Builder {
        private final Path dataDir;
        private int port = 9092;
        private int controllerPort = 9093;
        private String heap = "1g";
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** Default 9092, Kafka's usual port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Default 9093. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** Default 1g: ample for development loads; the broker was measured at ~535 MB resident. */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        /** Default 60 s; the broker is usually ready in 3–4 s. */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = startTimeout;
            return this;
        }

        public KafkaServerConfig build() {
            return new KafkaServerConfig(dataDir, port, controllerPort, heap, startTimeout);
        }
    }
}
