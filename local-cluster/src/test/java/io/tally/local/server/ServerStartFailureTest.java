package io.tally.local.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that cannot start says which, why, and what to change; and leaves no process behind. */
class ServerStartFailureTest {

    @Test
    void kafkaOnAPortInUseNamesThePortAndTheOption(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> KafkaServer.start(KafkaServerConfig.builder(dir.resolve("kafka")).port(port).build()))
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("Kafka cannot start: port " + port + " on 127.0.0.1 is already in use")
                    .hasMessageContaining("--kafka-port");
        }
    }

    @Test
    void cassandraOnAPortInUseNamesThePortAndTheOption(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> CassandraServer.start(
                    CassandraServerConfig.builder(dir.resolve("cassandra")).nativePort(port).storagePort(0).build()))
                    .isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("Cassandra cannot start: port " + port)
                    .hasMessageContaining("--cassandra-port");
        }
    }

    @Test
    void aServerThatDiesAtStartUpReportsItsExitCodeAndLogTail(@TempDir Path dir) {
        assertThatThrownBy(() -> CassandraServer.start(CassandraServerConfig.builder(dir.resolve("cassandra"))
                .nativePort(0).storagePort(0).heap("not-a-size").build()))
                .isInstanceOf(ServerStartException.class)
                .hasMessageContaining("Cassandra exited during start-up with code")
                .hasMessageContaining("cassandra.log ends:")
                .hasMessageContaining("Invalid");
    }
}
