package io.tally.collector;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A fake sink for unit tests: records what it is given and answers with what the test sets. */
final class RecordingSink implements EventSink {
    record Published(String source, List<EventRecord> records) {
    }

    final List<Published> published = Collections.synchronizedList(new ArrayList<>());
    volatile Supplier<CompletableFuture<Void>> answer = () -> CompletableFuture.completedFuture(null);
    /** While set, publish blocks the calling worker until it is counted down. */
    volatile CountDownLatch blockUntil;

    @Override
    public CompletableFuture<Void> publish(String source, List<EventRecord> records) {
        CountDownLatch latch = blockUntil;
        if (latch != null) {
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        published.add(new Published(source, records));
        return answer.get();
    }

    int events() {
        synchronized (published) {
            return published.stream().mapToInt(p -> p.records().size()).sum();
        }
    }

    @Override
    public void close() {
    }
}
