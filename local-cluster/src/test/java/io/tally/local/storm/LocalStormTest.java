package io.tally.local.storm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local Storm cluster's ZooKeepers (they have no authentication) answer on 127.0.0.1 only: 127.0.0.2 is this
 * machine too, but a server bound to 127.0.0.1 refuses it, as it refuses every address other hosts could use.
 */
class LocalStormTest {

    @Test
    void theZooKeepersListenOnTheLoopbackAddressOnly(@TempDir Path dir) {
        try (LocalStorm storm = LocalStorm.start(dir.resolve("zookeeper"))) {
            assertThat(storm.zookeeperPorts()).hasSize(2);
            for (int port : storm.zookeeperPorts()) {
                assertThat(accepts("127.0.0.1", port)).as("ZooKeeper on 127.0.0.1:%d", port).isTrue();
                assertThat(accepts("127.0.0.2", port)).as("ZooKeeper on 127.0.0.2:%d", port).isFalse();
            }
        }
    }

    private static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
