package io.tally.local.storm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.storm.shade.org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.storm.shade.org.apache.zookeeper.server.ZooKeeperServer;

/**
 * A ZooKeeper in this JVM that listens on 127.0.0.1 only. Storm's own in-process ZooKeepers (LocalCluster's, and
 * {@code Zookeeper.mkInprocessZookeeper}) listen on every address, and ZooKeeper has no authentication here: anyone
 * who could reach the port could rewrite Trident's transaction state.
 */
final class LoopbackZooKeeper {
    private static final int TICK_MILLIS = 2_000;
    /** No limit on connections per client address, as Storm's in-process ZooKeeper has none. */
    private static final int UNLIMITED_CONNECTIONS = 0;

    private LoopbackZooKeeper() {
    }

    /** Starts one keeping its data in {@code dataDir}, on {@code port} (0: any free one). */
    static NIOServerCnxnFactory start(Path dataDir, int port) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        ZooKeeperServer server = new ZooKeeperServer(dataDir.toFile(), dataDir.toFile(), TICK_MILLIS);
        NIOServerCnxnFactory factory = new NIOServerCnxnFactory();
        factory.configure(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), UNLIMITED_CONNECTIONS);
        factory.startup(server);
        return factory;
    }
}
