package io.tally.state.keyed;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Where a state partition runs its writes that no batch waits for (a write-behind flush, a keyed stage's spill): the
 * partition hands them over and goes on, and looks at the returned future between batches.
 */
@FunctionalInterface
public interface BackgroundWrites {
    /** Starts {@code writes}; the future completes when they have, or failed. */
    CompletableFuture<Void> start(Runnable writes);

    /** Runs the writes on the caller's thread, so that they are done when {@link #start} returns. */
    BackgroundWrites ON_CALLING_THREAD = writes -> {
        try {
            writes.run();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    };

    /**
     * Runs the writes one at a time, in order, on a daemon thread of this name, which ends when idle and starts again
     * with the next.
     */
    static BackgroundWrites onThreadNamed(String name) {
        ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                writes -> {
                    Thread writing = new Thread(writes, name);
                    writing.setDaemon(true);
                    return writing;
                });
        thread.allowCoreThreadTimeOut(true);
        return writes -> CompletableFuture.runAsync(writes, thread);
    }
}
