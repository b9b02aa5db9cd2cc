package io.tally.collector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Tracking API without its transport: authenticates, decodes, checks and parses one request on a bounded pool
 * of worker threads, writes its messages to the {@link EventSink}, and answers 200 only once every one is
 * acknowledged. A full pool answers 503 at once: requests never queue without bound. Thread-safe.
 */
public final class Collector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Collector.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An HTTP answer: status, JSON body and, for 429 and 503, the seconds of its {@code Retry-After}. */
    public record Reply(int status, String body, long retryAfterSeconds) {
    }

    private final CollectorSettings settings;
    private final EventSink sink;
    private final CollectorMetrics metrics;
    private final Clock clock;
    private final WriteKeys writeKeys;
    private final SegmentPayloads payloads;
    private final WriteKeyRateLimits rateLimits;
    private final ThreadPoolExecutor workers;
    private final AtomicBoolean kafkaFailing = new AtomicBoolean();

    public Collector(CollectorSettings settings, EventSink sink, CollectorMetrics metrics, Clock clock) {
        this.settings = settings;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        this.writeKeys = new WriteKeys(settings.sourcesByWriteKey());
        this.payloads = new SegmentPayloads(settings.maxMessageBytes(), settings.maxBatchBytes());
        this.rateLimits = new WriteKeyRateLimits(settings.eventsPerSecond(), settings.burstEvents());
        AtomicInteger threadNumber = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.workerThreads(), settings.workerThreads(), 0,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(settings.maxQueuedRequests()), task -> {
                    Thread thread = new Thread(task, "collector-worker-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        metrics.queueDepth(() -> workers.getQueue().size());
    }

    public CollectorMetrics metrics() {
        return metrics;
    }

    /**
     * Answers one request to a Tracking API path.
     *
     * @param authorization the {@code Authorization} header, or null
     * @param contentEncoding the {@code Content-Encoding} header, or null
     * @param body the body as received (at most the batch limit: the transport refuses longer ones)
     */
    public CompletableFuture<Reply> handle(Endpoint endpoint, String authorization, String contentEncoding,
            byte[] body) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        long queuedAt = System.nanoTime();
        try {
            workers.execute(() -> {
                long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queuedAt);
                if (waitedMillis > settings.kafkaTimeoutMillis()) { // the client has waited long enough: no more
                    reply.complete(refused(endpoint.path(), new RequestRefused(Refusal.OVERLOADED, "the request waited "
                            + waitedMillis + " ms for a worker, more than the Kafka timeout of "
                            + settings.kafkaTimeoutMillis() + " ms; retry later", settings.retryAfterSeconds())));
                    return;
                }
                try {
                    process(endpoint, authorization, contentEncoding, body).whenComplete((r, error) ->
                            reply.complete(error == null ? r : failure(endpoint, error)));
                } catch (RuntimeException | Error e) { // the connection waits for an answer: it always gets one
                    reply.complete(failure(endpoint, e));
                }
            });
        } catch (RejectedExecutionException full) {
            reply.complete(refused(endpoint.path(), new RequestRefused(Refusal.OVERLOADED, "the collector has "
                    + settings.maxQueuedRequests() + " requests waiting; retry later", settings.retryAfterSeconds())));
        }
        return reply;
    }

    private CompletableFuture<Reply> process(Endpoint endpoint, String authorization, String contentEncoding,
            byte[] raw) {
        String source;
        SegmentPayloads.Parsed parsed;
        try {
            source = writeKeys.sourceOfHeader(authorization);
            byte[] body = payloads.decode(contentEncoding, new ByteArrayInputStream(raw));
            parsed = payloads.parse(endpoint, body, clock.instant());
            if (source == null) {
                source = writeKeys.sourceOf(parsed.bodyWriteKey());
            }
            rateLimits.acquire(source, parsed.records().size());
        } catch (RequestRefused refusal) {
            return CompletableFuture.completedFuture(refused(endpoint.path(), refusal));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(failure(endpoint, e));
        }
        String acceptedFrom = source;
        long started = System.nanoTime();
        // The wait for the acknowledgements has a deadline of its own, whatever the producer's timeouts do.
        return sink.publish(source, parsed.records()).orTimeout(settings.kafkaTimeoutMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                if (kafkaFailing.compareAndSet(false, true)) {
                    LOG.warn("Kafka did not acknowledge a request's records; answering 503 until it does: {}",
                            String.valueOf(cause));
                }
                return refused(endpoint.path(), new RequestRefused(Refusal.KAFKA_UNAVAILABLE, "Kafka did not "
                        + "acknowledge the events within " + settings.kafkaTimeoutMillis() + " ms; retry later",
                        settings.retryAfterSeconds()));
            }
            if (kafkaFailing.compareAndSet(true, false)) {
                LOG.info("Kafka acknowledges records again");
            }
            metrics.kafkaAck(Duration.ofNanos(System.nanoTime() - started));
            metrics.accepted(acceptedFrom, parsed.records().size(), raw.length);
            metrics.request(endpoint.path(), 200);
            return new Reply(200, "{\"success\":true}", 0);
        });
    }

    /**
     * An answer for a request refused before it reached a worker, such as a body over the batch limit. The request
     * metric names the endpoint, or {@code other} for any other path (clients choose paths: they are no label).
     */
    public Reply refused(String path, RequestRefused refusal) {
        Endpoint endpoint = path == null ? null : Endpoint.ofPath(path);
        metrics.refused(refusal.refusal());
        metrics.request(endpoint == null ? "other" : endpoint.path(), refusal.refusal().status());
        ObjectNode body = JSON.createObjectNode()
                .put("success", false)
                .put("error", refusal.refusal().reason())
                .put("message", refusal.getMessage());
        return new Reply(refusal.refusal().status(), body.toString(), refusal.retryAfterSeconds());
    }

    private Reply failure(Endpoint endpoint, Throwable error) {
        LOG.error("request to {} failed", endpoint.path(), error);
        metrics.request(endpoint.path(), 500);
        return new Reply(500, "{\"success\":false,\"error\":\"internal_error\",\"message\":\"the collector failed;"
                + " see its log\"}", 0);
    }

    /** {@code GET /health}: the collector is up; {@code kafka} says whether its last write was acknowledged. */
    public Reply health() {
        return new Reply(200, "{\"status\":\"up\",\"kafka\":\"" + (kafkaFailing.get() ? "failing" : "ok") + "\"}", 0);
    }

    @Override
    public void close() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(settings.kafkaTimeoutMillis() * 2, TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sink.close();
        }
    }
}
