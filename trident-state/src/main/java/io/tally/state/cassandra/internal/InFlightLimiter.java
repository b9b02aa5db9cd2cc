package io.tally.state.cassandra.internal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Bounds how many asynchronous requests one caller keeps in flight: the caller blocks for a permit
 * before starting the next request, so a slow Cassandra slows the batch down instead of piling up
 * queued requests and the memory they hold.
 */
final class InFlightLimiter {
    private final Semaphore permits;

    InFlightLimiter(int maxInFlight) {
        this.permits = new Semaphore(maxInFlight);
    }

    <T> CompletionStage<T> submit(Supplier<CompletionStage<T>> request) {
        permits.acquireUninterruptibly();
        CompletionStage<T> started;
        try {
            started = request.get();
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
        return started.whenComplete((result, error) -> permits.release());
    }
}
