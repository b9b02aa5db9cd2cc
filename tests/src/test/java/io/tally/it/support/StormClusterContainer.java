package io.tally.it.support;

import io.tally.local.server.StormCluster;
import io.tally.local.server.StormClusterConfig;
import org.testcontainers.lifecycle.Startable;

/** A real Storm cluster (ZooKeeper, Nimbus, Supervisor JVMs) behind Testcontainers' lifecycle API; no Docker. */
public final class StormClusterContainer implements Startable {
    private final StormClusterConfig config;
    private StormCluster cluster;

    public StormClusterContainer(StormClusterConfig config) {
        this.config = config;
    }

    @Override
    public void start() {
        if (cluster == null) {
            cluster = StormCluster.start(config);
        }
    }

    @Override
    public void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } finally {
                cluster = null;
            }
        }
    }

    public StormCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the Storm cluster is not started");
        }
        return cluster;
    }
}
