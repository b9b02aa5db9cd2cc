package io.tally.state.cassandra.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.storm.topology.FailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The asynchronous requests of one batch against one table: at most {@code maxInFlight} at a time (the caller
 * blocks for a permit, so a slow Cassandra slows the batch instead of queueing requests and the memory they
 * hold), and one outcome for all. Any failure fails the batch with a {@link FailedException}, which Trident
 * answers by replaying it: logged once, with its cause, not once per request, and reported only after a
 * {@linkplain ReplayBackoff backoff} so an outage does not become a loop of instant replays.
 */
final class BoundedRequests {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedRequests.class);

    private final Semaphore permits;
    private final long awaitMillis;
    private final String target;
    private final StateMetrics metrics;

    /**
     * @param requestTimeoutMillis the driver's own request timeout; waiting is bounded by a multiple of it only
     *     to guard against a lost callback
     */
    BoundedRequests(int maxInFlight, long requestTimeoutMillis, String target, StateMetrics metrics) {
        this.permits = new Semaphore(maxInFlight);
        this.awaitMillis = requestTimeoutMillis * 3 + 1_000;
        this.target = target;
        this.metrics = metrics;
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

    /** Waits for all requests and returns their results in order, or fails the batch. */
    <R> List<R> awaitAll(List<CompletionStage<R>> requests, String what) {
        List<R> results;
        try {
            results = joinAll(requests);
        } catch (ExecutionException e) {
            throw failure(what, e.getCause());
        } catch (TimeoutException e) {
            throw failure(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(what, e);
        }
        ReplayBackoff.succeeded();
        return results;
    }

    /**
     * Waits for all requests and returns their results in order, or throws the first failure as it is: for work
     * outside a batch (such as a state's start-up scan), which has no replay to ask for and no backoff to wait.
     */
    <R> List<R> joinAll(List<CompletionStage<R>> requests)
            throws ExecutionException, TimeoutException, InterruptedException {
        CompletableFuture<?>[] futures = requests.stream()
                .map(CompletionStage::toCompletableFuture)
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(futures).get(awaitMillis, TimeUnit.MILLISECONDS);
        List<R> results = new ArrayList<>(futures.length);
        for (CompletableFuture<?> future : futures) {
            @SuppressWarnings("unchecked")
            R result = (R) future.join();
            results.add(result);
        }
        return results;
    }

    /**
     * Storm interrupts executors when it stops a worker (a topology kill, a rebalance): Cassandra did not fail, so
     * this is neither counted nor logged as a failure, and there is no backoff; the batch is replayed wherever the
     * topology runs next.
     */
    private FailedException interrupted(String what, InterruptedException cause) {
        String message = "Cassandra " + what + " on " + target + " interrupted: the worker is stopping";
        LOG.info(message);
        return new FailedException(message, cause);
    }

    FailedException failure(String what, Throwable cause) {
        metrics.failed(cause);
        String message = "Cassandra " + what + " on " + target + " failed; the batch will be replayed: " + cause;
        LOG.warn(message);
        ReplayBackoff.beforeReportingFailure();
        return new FailedException(message, cause);
    }
}
