package io.tally.it.support;

import io.tally.local.LocalStack;
import io.tally.local.LocalStackConfig;
import org.testcontainers.lifecycle.Startable;

/**
 * Tally's own launchers (real Kafka and Cassandra JVMs, Storm's LocalCluster) behind Testcontainers'
 * lifecycle API. No Docker is involved: Testcontainers only drives start and stop.
 */
final class LocalStackContainer implements Startable {
    private final LocalStackConfig config;
    private LocalStack stack;

    LocalStackContainer(LocalStackConfig config) {
        this.config = config;
    }

    @Override
    public void start() {
        if (stack == null) {
            stack = LocalStack.start(config);
        }
    }

    @Override
    public void stop() {
        if (stack != null) {
            try {
                stack.close();
            } finally {
                stack = null;
            }
        }
    }

    LocalStack stack() {
        if (stack == null) {
            throw new IllegalStateException("the local stack is not started");
        }
        return stack;
    }
}
