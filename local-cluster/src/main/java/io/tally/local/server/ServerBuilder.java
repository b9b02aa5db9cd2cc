package io.tally.local.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every server in a JVM of its own takes, whatever else it is configured with: its data directory, its
 * heap and how long its start-up may take. Each server's builder gives its own defaults.
 *
 * @param <B> the server's builder, returned by every setter so calls chain
 */
public abstract class ServerBuilder<B extends ServerBuilder<B>> {
    final Path dataDir;
    String heap;
    Duration startTimeout;

    ServerBuilder(Path dataDir, String defaultHeap, Duration defaultStartTimeout) {
        this.dataDir = dataDir;
        this.heap = defaultHeap;
        this.startTimeout = defaultStartTimeout;
    }

    /** The server's -Xmx (and -Xms). */
    public B heap(String heap) {
        this.heap = heap;
        return self();
    }

    /** How long start-up may take before it is reported as failed. */
    public B startTimeout(Duration startTimeout) {
        this.startTimeout = startTimeout;
        return self();
    }

    /** What a server's configuration cannot start without, checked where the configuration is made. */
    static void requireSettings(Path dataDir, String heap, Duration startTimeout) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(heap, "heap");
        Objects.requireNonNull(startTimeout, "startTimeout");
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
