package io.tally.local.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.local.server.Ports;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local Storm cluster's ZooKeepers (they have no authentication) answer on 127.0.0.1 only: 127.0.0.2 is this
 * machine too, but a server bound to 127.0.0.1 refuses it, as it refuses every address other hosts could use.
 */
class LocalStormTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @Test
    void theZooKeepersListenOnTheLoopbackAddressOnly(@TempDir Path dir) {
        try (LocalStorm storm = LocalStorm.start(dir.resolve("zookeeper"))) {
            assertThat(storm.zookeeperPorts()).hasSize(2);
            for (int port : storm.zookeeperPorts()) {
                assertThat(Ports.accepting("127.0.0.1", port, TIMEOUT)).as("ZooKeeper on 127.0.0.1:%d", port).isTrue();
                assertThat(Ports.accepting("127.0.0.2", port, TIMEOUT)).as("ZooKeeper on 127.0.0.2:%d", port).isFalse();
            }
        }
    }
}
