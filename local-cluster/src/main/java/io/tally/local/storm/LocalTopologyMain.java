package io.tally.local.storm;

import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Storm's LocalCluster in a JVM of its own, running the production topology of one configuration file with
 * Trident's state in a persistent ZooKeeper directory. Started by {@link io.tally.local.server.LocalTopologyProcess},
 * so that a test can kill the whole cluster JVM (kill -9) and start it again on the same data, as a crashed
 * development machine would be restarted.
 *
 * <p>Usage: {@code LocalTopologyMain <zookeeper-data-dir> <zookeeper-port> <tally.yaml>}; the port is fixed so that
 * a restarted cluster is found where the last one was. Prints {@link #READY} and the topology's name once the
 * topology is submitted, then runs until it is killed or its parent goes away.
 */
public final class LocalTopologyMain {
    public static final String READY = "tally local topology submitted: ";

    private LocalTopologyMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: LocalTopologyMain <zookeeper-data-dir> <zookeeper-port> <tally.yaml>");
            System.exit(64);
        }
        TallyConfig config = TallyConfigLoader.withSystemEnvironment().load(Path.of(args[2]));
        LocalStorm storm = LocalStorm.start(Path.of(args[0]), Integer.parseInt(args[1]));
        storm.submit(config.name(), TallyTopology.stormConfig(config), TallyTopology.build(config));
        System.out.println(READY + config.name());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
