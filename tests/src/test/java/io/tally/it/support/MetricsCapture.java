package io.tally.it.support;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.storm.Config;
import org.apache.storm.metric.api.IMetricsConsumer;
import org.apache.storm.task.IErrorReporter;
import org.apache.storm.task.TopologyContext;

/**
 * A Storm metrics consumer that sums the counts it receives, as a monitoring system would, for tests to compare with
 * the truth. Storm creates it inside the topology; in LocalCluster that is this JVM, so the sums are static. Only
 * counts are summed: a {@code CountMetric} under its name, a {@code MultiCountMetric} under {@code name/key}.
 */
public final class MetricsCapture implements IMetricsConsumer {
    private static final Map<String, Long> SUMS = new ConcurrentHashMap<>();

    /** Registers this consumer on a topology's configuration, with metrics reported every {@code seconds}. */
    public static void register(Map<String, Object> conf, int seconds) {
        conf.put(Config.TOPOLOGY_BUILTIN_METRICS_BUCKET_SIZE_SECS, seconds);
        Config.registerMetricsConsumer(conf, MetricsCapture.class, 1);
    }

    public static void reset() {
        SUMS.clear();
    }

    /** The sum of a count metric so far (0 when none was reported). */
    public static long count(String name) {
        return SUMS.getOrDefault(name, 0L);
    }

    /** The sums of a multi-count metric so far, by key. */
    public static Map<String, Long> counts(String name) {
        Map<String, Long> byKey = new TreeMap<>();
        String prefix = name + "/";
        SUMS.forEach((key, sum) -> {
            if (key.startsWith(prefix)) {
                byKey.put(key.substring(prefix.length()), sum);
            }
        });
        return byKey;
    }

    @Override
    public void prepare(Map<String, Object> conf, Object argument, TopologyContext context, IErrorReporter errors) {
    }

    @Override
    public void handleDataPoints(TaskInfo task, Collection<DataPoint> points) {
        for (DataPoint point : points) {
            if (!point.name.startsWith("tally.")) {
                continue;
            }
            if (point.value instanceof Long count) {
                SUMS.merge(point.name, count, Long::sum);
            } else if (point.value instanceof Map<?, ?> byKey) {
                byKey.forEach((key, value) -> {
                    if (value instanceof Long count) {
                        SUMS.merge(point.name + "/" + key, count, Long::sum);
                    }
                });
            }
        }
    }

    @Override
    public void cleanup() {
    }
}
