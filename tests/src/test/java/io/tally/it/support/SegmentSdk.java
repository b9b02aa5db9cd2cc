package io.tally.it.support;

import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.Log;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.MessageBuilder;
import io.tally.testsupport.Eventually;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Segment's own analytics-java, configured as an app would to send to the collector, with retries, and watched:
 * which messageIds its callback reported as delivered (a 2xx from the collector) or given up, and how often it
 * retried a batch (from its log). Its retries wait 15 to 30 s first (the SDK's fixed back-off), so a test of
 * faults gives it several upload threads: batches retried after a fault do not hold up the others.
 */
public final class SegmentSdk implements AutoCloseable {
    private final Analytics analytics;
    private final Map<String, Integer> succeeded = new ConcurrentHashMap<>();
    private final AtomicInteger successes = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger enqueued = new AtomicInteger();

    /**
     * @param flushQueueSize messages per batch at most (the SDK also keeps a batch under 500 KB)
     * @param uploadThreads batches uploaded at once
     * @param maxRetries attempts after the first for each batch
     */
    public SegmentSdk(String writeKey, String endpoint, int flushQueueSize, int uploadThreads, int maxRetries) {
        ExecutorService network = Executors.newFixedThreadPool(uploadThreads, task -> {
            Thread thread = new Thread(task, "segment-upload");
            thread.setDaemon(true);
            return thread;
        });
        analytics = Analytics.builder(writeKey)
                .endpoint(endpoint)
                .flushQueueSize(flushQueueSize)
                .flushInterval(1, TimeUnit.SECONDS)
                .retries(maxRetries)
                .networkExecutor(network)
                .log(new Log() {
                    @Override
                    public void print(Level level, String format, Object... args) {
                        if (format.contains("Retrying")) {
                            retries.incrementAndGet();
                        }
                    }

                    @Override
                    public void print(Level level, Throwable error, String format, Object... args) {
                        print(level, format, args);
                    }
                })
                .callback(new Callback() {
                    @Override
                    public void success(Message message) {
                        succeeded.merge(message.messageId(), 1, Integer::sum);
                        successes.incrementAndGet();
                    }

                    @Override
                    public void failure(Message message, Throwable error) {
                        failures.incrementAndGet();
                    }
                })
                .build();
    }

    public void enqueue(MessageBuilder<?, ?> message) {
        analytics.enqueue(message);
        enqueued.incrementAndGet();
    }

    /** Flushes, then waits until the callback has reported on every message enqueued. */
    public void awaitReported(Duration timeout) {
        analytics.flush();
        Eventually.poll(() -> successes.get() + failures.get(), done -> done >= enqueued.get(), timeout);
    }

    /** Messages the collector acknowledged, by messageId (a message enqueued twice is reported twice). */
    public Map<String, Integer> succeeded() {
        return Map.copyOf(succeeded);
    }

    public int successes() {
        return successes.get();
    }

    public int failures() {
        return failures.get();
    }

    /** Batches the SDK sent again after an error, a 5xx or a 429. */
    public int retries() {
        return retries.get();
    }

    @Override
    public void close() {
        analytics.shutdown();
    }
}
