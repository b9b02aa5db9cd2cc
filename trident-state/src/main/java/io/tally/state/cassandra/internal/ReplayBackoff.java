package io.tally.state.cassandra.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spaces out the replays of batches that fail because Cassandra does not answer. Trident replays a failed batch at
 * once, so during an outage every state would loop on failing requests (and warnings) as fast as they fail. Each
 * failure in a row waits {@value #BASE_MILLIS} ms × 2^(failures in a row − 1), at most {@value #MAX_MILLIS} ms,
 * before it fails the batch; the first call that succeeds resets the count. Shared by every state in the worker,
 * since they share the Cassandra that failed.
 */
final class ReplayBackoff {
    static final long BASE_MILLIS = 100;
    static final long MAX_MILLIS = 5_000;
    private static final AtomicInteger FAILURES_IN_A_ROW = new AtomicInteger();

    private ReplayBackoff() {
    }

    /** How long the {@code failuresInARow}-th failure in a row waits. */
    static long delayMillis(int failuresInARow) {
        int doublings = Math.min(Math.max(failuresInARow, 1) - 1, 16);
        return Math.min(BASE_MILLIS << doublings, MAX_MILLIS);
    }

    /** Waits before a failure is reported, longer the more failures came in a row. */
    static void beforeReportingFailure() {
        try {
            Thread.sleep(delayMillis(FAILURES_IN_A_ROW.incrementAndGet()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void succeeded() {
        FAILURES_IN_A_ROW.set(0);
    }
}
