package io.tally.collector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The collector's metrics, served by {@code GET /metrics} in the Prometheus text format: requests by endpoint and
 * status, accepted events and body bytes by source, refusals by reason, and how long Kafka took to acknowledge a
 * request's records; open connections and queued requests; and the JVM's memory ({@code jvm_memory_used_bytes}
 * by area and pool).
 */
public final class CollectorMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer kafkaAck = Timer.builder("collector.kafka.ack")
            .description("from a request's first record sent to Kafka to its last acknowledged")
            .publishPercentiles(0.5, 0.99)
            .register(registry);

    public CollectorMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
    }

    void request(String endpoint, int status) {
        registry.counter("collector.requests", "endpoint", endpoint, "status", Integer.toString(status)).increment();
    }

    void accepted(String source, int events, long bodyBytes) {
        registry.counter("collector.events", "source", source).increment(events);
        registry.counter("collector.bytes", "source", source).increment(bodyBytes);
    }

    void refused(Refusal refusal) {
        registry.counter("collector.rejections", "reason", refusal.reason()).increment();
    }

    void kafkaAck(Duration took) {
        kafkaAck.record(took);
    }

    void queueDepth(Supplier<Number> depth) {
        registry.gauge("collector.queued.requests", registry, r -> depth.get().doubleValue());
    }

    /** The gauge of open connections, read from the HTTP server. */
    public void openConnections(Supplier<Number> open) {
        registry.gauge("collector.open.connections", registry, r -> open.get().doubleValue());
    }

    /** The count of refusals for a reason so far (for tests and the health answer). */
    public double refusals(Refusal refusal) {
        Counter counter = registry.find("collector.rejections").tag("reason", refusal.reason()).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Events accepted from a source so far. */
    public double events(String source) {
        Counter counter = registry.find("collector.events").tag("source", source).counter();
        return counter == null ? 0 : counter.count();
    }

    public String scrape() {
        return registry.scrape();
    }
}
