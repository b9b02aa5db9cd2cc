package io.tally.spouts;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.storm.Config;
import org.apache.storm.metric.api.CombinedMetric;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.metric.api.ICombiner;
import org.apache.storm.metric.api.IMetric;
import org.apache.storm.metric.api.MeanReducer;
import org.apache.storm.metric.api.ReducedMetric;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.utils.ObjectReader;

/**
 * What a Tally spout's batches cost in time and replays, as Storm metrics named {@code tally.spout.<spout>.*}, and
 * the same counts summed over the whole JVM for tests and benchmarks running the topology in LocalCluster.
 *
 * <p>Metrics are reported every {@code topology.builtin.metrics.bucket.size.secs} (Storm's own period for its
 * built-in metrics, default 60 s), like every other {@code tally.*} metric.
 */
public final class SpoutMetrics {
    private static final LongAdder TOTAL_REPLAYED_BATCHES = new LongAdder();
    private static final LongAdder TOTAL_REPLAYED_RECORDS = new LongAdder();
    private static final LongAdder TOTAL_COMMITTED_BATCHES = new LongAdder();

    private SpoutMetrics() {
    }

    /**
     * Counts of every Tally spout in this JVM since it started.
     *
     * @param replayedBatches batch attempts a spout task emitted again because the batch failed (a spout with several
     *     tasks counts a replayed batch once per task that held a partition of it)
     * @param replayedRecords records emitted again by those replays
     * @param committedBatches batches committed
     */
    public record Totals(long replayedBatches, long replayedRecords, long committedBatches) {
    }

    /** The totals of every Tally spout in this JVM; on a Storm cluster read the per-task metrics instead. */
    public static Totals totals() {
        return new Totals(TOTAL_REPLAYED_BATCHES.sum(), TOTAL_REPLAYED_RECORDS.sum(), TOTAL_COMMITTED_BATCHES.sum());
    }

    /** Metrics period of the topology, in seconds. */
    public static int bucketSeconds(Map<String, Object> conf) {
        return ObjectReader.getInt(conf.get(Config.TOPOLOGY_BUILTIN_METRICS_BUCKET_SIZE_SECS), 60);
    }

    /** Registers {@code metric} under {@code tally.spout.<spout>.<name>}. */
    private static <T extends IMetric> T register(IMetricsContext context, Map<String, Object> conf, String spout,
            String name, T metric) {
        return register(context, conf, "tally.spout." + spout + "." + name, metric);
    }

    /**
     * Registers {@code metric} under {@code fullName} on the topology's metrics period; without a context (a unit
     * test) it is only kept.
     */
    public static <T extends IMetric> T register(IMetricsContext context, Map<String, Object> conf, String fullName,
            T metric) {
        return context == null ? metric : context.registerMetric(fullName, metric, bucketSeconds(conf));
    }

    /** The replays of one emitter task. */
    static final class Replays {
        private final CountMetric batches;
        private final CountMetric records;

        Replays(IMetricsContext context, Map<String, Object> conf, String spout) {
            batches = register(context, conf, spout, "replayed_batches", new CountMetric());
            records = register(context, conf, spout, "replayed_records", new CountMetric());
        }

        void batch() {
            batches.incr();
            TOTAL_REPLAYED_BATCHES.increment();
        }

        void record() {
            records.incr();
            TOTAL_REPLAYED_RECORDS.increment();
        }
    }

    /** Batch latency as the spout's coordinator sees it: from a batch's first attempt starting to its commit. */
    static final class Latency {
        final ReducedMetric meanMillis;
        final CombinedMetric maxMillis;
        final CountMetric committed;

        Latency(IMetricsContext context, Map<String, Object> conf, String spout) {
            meanMillis = register(context, conf, spout, "batch_latency_ms", new ReducedMetric(new MeanReducer()));
            maxMillis = register(context, conf, spout, "batch_latency_max_ms", new CombinedMetric(new Max()));
            committed = register(context, conf, spout, "batches_committed", new CountMetric());
        }

        void committed(long millis) {
            meanMillis.update(millis);
            maxMillis.update(millis);
            committed.incr();
            TOTAL_COMMITTED_BATCHES.increment();
        }
    }

    /** The largest value of a bucket; 0 when nothing was recorded. */
    static final class Max implements ICombiner<Long> {
        @Override
        public Long identity() {
            return 0L;
        }

        @Override
        public Long combine(Long a, Long b) {
            return Math.max(a, b);
        }
    }
}
