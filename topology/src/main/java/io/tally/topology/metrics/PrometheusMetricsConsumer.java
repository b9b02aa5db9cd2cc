package io.tally.topology.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.storm.metric.api.IMetricsConsumer;
import org.apache.storm.task.IErrorReporter;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.utils.ObjectReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves Tally's Storm metrics ({@code tally.*}, see docs/metrics-and-logs.md) for Prometheus to scrape, at
 * {@code http://<bind>:<port>/metrics}. Storm hands a metrics consumer every task's metrics once per metrics period;
 * counts are added up into Prometheus counters, latencies, key counts and lags are kept as gauges (their last value).
 *
 * <p>Names: {@code tally.ingest.accepted} is {@code tally_ingest_accepted_total}; a state's or a spout's name moves
 * into a label ({@code tally.state.event_counts_by_hour.rows_read} is
 * {@code tally_state_rows_read_total{table="event_counts_by_hour"}}); a count per key carries the key as a label
 * ({@code reason}, {@code cause}, {@code topic}). Every series is labelled with the Storm component and task.
 */
public final class PrometheusMetricsConsumer implements IMetricsConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusMetricsConsumer.class);
    /** The consumer's argument: {@code {port: 9464, bind: 127.0.0.1}}. */
    public static final String PORT = "port";
    public static final String BIND = "bind";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, AtomicLong> gaugeValues = new ConcurrentHashMap<>();
    private HttpServer server;

    @Override
    public void prepare(Map<String, Object> topoConf, Object argument, TopologyContext context, IErrorReporter errors) {
        Map<?, ?> settings = argument instanceof Map<?, ?> map ? map : Map.of();
        int port = ObjectReader.getInt(settings.get(PORT), 9464);
        String bind = settings.get(BIND) == null ? "127.0.0.1" : settings.get(BIND).toString();
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve Prometheus metrics on " + bind + ":" + port, e);
        }
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        LOG.info("Prometheus metrics on http://{}:{}/metrics", bind, server.getAddress().getPort());
    }

    @Override
    public void handleDataPoints(TaskInfo task, Collection<DataPoint> points) {
        Tags taskTags = Tags.of("component", task.srcComponentId, "task", String.valueOf(task.srcTaskId));
        for (DataPoint point : points) {
            if (!point.name.startsWith("tally.")) {
                continue;
            }
            Series series = Series.of(point.name);
            Tags tags = taskTags.and(series.tags());
            if (point.value instanceof Map<?, ?> byKey) {
                byKey.forEach((key, value) -> record(series, tags.and(series.keyLabel(), String.valueOf(key)), value));
            } else {
                record(series, tags, point.value);
            }
        }
    }

    private void record(Series series, Tags tags, Object value) {
        if (!(value instanceof Number number)) {
            return;
        }
        if (series.gauge()) {
            // Gauges hold doubles as their bits: one holder per series, registered once.
            String id = series.name() + tags;
            AtomicLong bits = gaugeValues.computeIfAbsent(id, ignored -> {
                AtomicLong holder = new AtomicLong();
                Gauge.builder(series.name(), holder, h -> Double.longBitsToDouble(h.get())).tags(tags)
                        .register(registry);
                return holder;
            });
            bits.set(Double.doubleToLongBits(number.doubleValue()));
        } else {
            Counter.builder(series.name()).tags(tags).register(registry).increment(number.doubleValue());
        }
    }

    /**
     * A Storm metric's Prometheus series: its name without the state's or spout's own name, which becomes a label.
     *
     * @param gauge whether the value is a level (latency, keys, lag), not a count of the period
     */
    record Series(String name, Tags tags, String keyLabel, boolean gauge) {
        static Series of(String metric) {
            String[] parts = metric.split("\\.");
            Tags tags = Tags.empty();
            String name = metric;
            if (parts.length == 4 && (parts[1].equals("state") || parts[1].equals("spout"))) {
                tags = Tags.of(Tag.of(parts[1].equals("state") ? "table" : "spout", parts[2]));
                name = parts[0] + "." + parts[1] + "." + parts[3];
            }
            String last = parts[parts.length - 1];
            String keyLabel = switch (last) {
                case "rejected" -> "reason";
                case "failures_by_cause" -> "cause";
                case "lag" -> "topic";
                default -> "key";
            };
            boolean gauge = last.endsWith("_ms") || last.equals("keys") || last.equals("lag");
            return new Series(name, tags, keyLabel, gauge);
        }
    }

    @Override
    public void cleanup() {
        if (server != null) {
            server.stop(0);
        }
        registry.close();
    }
}
