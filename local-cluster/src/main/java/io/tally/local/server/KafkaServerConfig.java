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
 * @param saslSsl a second client listener that takes only TLS with SCRAM-SHA-512 logins; null: none
 */
public record KafkaServerConfig(Path dataDir, int port, int controllerPort, String heap, Duration startTimeout,
        SaslSsl saslSsl) {

    /**
     * A SASL_SSL listener: its port (0 picks a free one), the key store (PKCS12) it serves TLS with and its password,
     * and the one SCRAM-SHA-512 user it accepts.
     */
    public record SaslSsl(int port, Path keystore, String keystorePassword, String user, String password) {
        public SaslSsl {
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(keystorePassword, "keystorePassword");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        SaslSsl onPort(int claimed) {
            return new SaslSsl(claimed, keystore, keystorePassword, user, password);
        }

        @Override
        public String toString() {
            return "SaslSsl[port=" + port + ", keystore=" + keystore + ", user=" + user + ", passwords=****]";
        }
    }

    public KafkaServerConfig {
        ServerBuilder.requireSettings(dataDir, heap, startTimeout);
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Defaults: Kafka's usual port 9092, controller port 9093, heap 1g, start-up within 180 s, no SASL_SSL. */
    public static final class Builder extends ServerBuilder<Builder> {
        private int port = 9092;
        private int controllerPort = 9093;
        private SaslSsl saslSsl;

        private Builder(Path dataDir) {
            // Generous: a machine busy with other builds takes minutes to start a JVM-heavy server, and a timeout
            // here fails a whole test class.
            super(dataDir, "1g", Duration.ofSeconds(180));
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /** Default none: only the plain-text listener. */
        public Builder saslSsl(SaslSsl listener) {
            this.saslSsl = listener;
            return this;
        }

        public KafkaServerConfig build() {
            return new KafkaServerConfig(dataDir, port, controllerPort, heap, startTimeout, saslSsl);
        }
    }
}
