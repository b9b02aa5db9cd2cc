package io.tally.it.support;

import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.testsupport.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Produces a fixed number of events at a steady rate from a background thread, so a test can break
 * the pipeline while events are still arriving. Every event sent is added to the truth first.
 */
public final class BackgroundLoad implements AutoCloseable {
    private static final int CHUNK = 1_000;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-background-load");
        t.setDaemon(true);
        return t;
    });
    private final Future<?> done;

    public BackgroundLoad(KafkaEvents kafka, EventGenerator generator, Truth truth, int events, int perSecond) {
        this(kafka, generator, truth::add, events, perSecond);
    }

    /** Hands every event to {@code truth} (from the producing thread) before sending it. */
    public BackgroundLoad(KafkaEvents kafka, EventGenerator generator, java.util.function.Consumer<GeneratedEvent> truth,
            int events, int perSecond) {
        long pauseNanos = TimeUnit.SECONDS.toNanos(1) * CHUNK / perSecond;
        this.done = thread.submit(() -> {
            for (int sent = 0; sent < events; sent += CHUNK) {
                long next = System.nanoTime() + pauseNanos;
                List<GeneratedEvent> chunk = new ArrayList<>(CHUNK);
                for (int i = 0; i < Math.min(CHUNK, events - sent); i++) {
                    GeneratedEvent event = generator.next();
                    truth.accept(event);
                    chunk.add(event);
                }
                kafka.send(chunk);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Eventually.sleep(Duration.ofNanos(wait));
                }
            }
        });
    }

    /** Waits until every event was sent and acknowledged; rethrows a producer failure. */
    public void awaitSent(Duration timeout) throws Exception {
        done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
