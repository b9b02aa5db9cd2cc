package io.tally.spouts.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The lag metric is measured on the spout's thread after a batch; it must never hold that thread for the broker's
 * answer. A "broker" that accepts connections and never answers makes any wait last the metric's whole request
 * timeout.
 */
class KafkaLagTest {
    private static final Map<TopicPartition, Long> NEXT = Map.of(new TopicPartition("events", 0), 42L);

    @Test
    void afterBatchReturnsWithoutWaitingForTheBroker() throws Exception {
        try (SilentBroker broker = new SilentBroker()) {
            // The first admin client of a JVM loads Kafka's classes: not what is asserted, so done once beforehand.
            try (KafkaLag warmUp = new KafkaLag(broker.props(), () -> 0L)) {
                warmUp.afterBatch(NEXT);
            }
            try (KafkaLag lag = new KafkaLag(broker.props(), () -> 0L)) {
                // Half the metric's request timeout: a call that waited for the broker could not return sooner.
                assertTimeoutPreemptively(Duration.ofMillis(KafkaLag.TIMEOUT_MILLIS / 2), () -> lag.afterBatch(NEXT),
                        "afterBatch waited for a broker that never answers");
                assertThat(lag.getValueAndReset()).as("no lag is known before the broker answers").isNull();
            }
        }
    }

    /** Accepts connections on 127.0.0.1 and never writes a byte. */
    private static final class SilentBroker implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor = new Thread(this::accept, "silent-broker");

        SilentBroker() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        Map<String, Object> props() {
            return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + server.getLocalPort());
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    accepted.add(server.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }
}
