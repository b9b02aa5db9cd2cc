package io.tally.local.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a real Storm cluster runs on this machine. Every default is here.
 *
 * @param dataDir holds the daemons' configuration, ZooKeeper's data, {@code storm.local.dir} and the logs
 * @param workerSlots worker JVMs the supervisor may run (one port each; default 2)
 * @param workerHeapMb heap of each worker JVM (default 768, Storm's own)
 * @param workerTimeout how long the supervisor waits for a silent worker before restarting it (default 10 s;
 *     Storm's is 30 s)
 * @param startTimeout how long each daemon may take to become ready (default 90 s)
 */
public record StormClusterConfig(Path dataDir, int workerSlots, int workerHeapMb, Duration workerTimeout,
        Duration startTimeout) {

    public StormClusterConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        if (workerSlots <= 0) {
            throw new IllegalArgumentException("workerSlots must be positive, was " + workerSlots);
        }
    }

    public static StormClusterConfig of(Path dataDir) {
        return new StormClusterConfig(dataDir, 2, 768, Duration.ofSeconds(10), Duration.ofSeconds(90));
    }
}
