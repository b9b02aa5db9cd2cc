package io.tally.state.cassandra.internal;

import io.tally.state.cassandra.CassandraStateMetrics;
import io.tally.state.cassandra.CassandraStateMetrics.Totals;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.storm.Config;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.metric.api.IMetric;
import org.apache.storm.metric.api.MeanReducer;
import org.apache.storm.metric.api.MultiCountMetric;
import org.apache.storm.metric.api.ReducedMetric;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.utils.ObjectReader;

/**
 * What a state partition costs Cassandra, as Storm metrics: rows read and written, the requests that
 * carried them, and failed calls (each of which made Trident replay a batch), also per cause: the class of the
 * driver's exception, e.g. {@code WriteTimeoutException}, {@code UnavailableException},
 * {@code AllNodesFailedException} (no node reachable), {@code DriverTimeoutException}. Reported every
 * {@code topology.builtin.metrics.bucket.size.secs} (Storm's period for its own metrics, default 60 s). Outside this
 * package, {@link CassandraStateMetrics} reads them.
 */
public final class StateMetrics {

    private final CountMetric rowsRead;
    private final CountMetric readRequests;
    private final CountMetric rowsWritten;
    private final CountMetric writeRequests;
    private final CountMetric failures;
    private final MultiCountMetric failuresByCause;
    private final ReducedMetric readLatency;
    private final ReducedMetric writeLatency;
    private final TableSums sums;

    private StateMetrics(CountMetric rowsRead, CountMetric readRequests, CountMetric rowsWritten,
            CountMetric writeRequests, CountMetric failures, MultiCountMetric failuresByCause,
            ReducedMetric readLatency, ReducedMetric writeLatency, TableSums sums) {
        this.sums = sums;
        this.readLatency = readLatency;
        this.writeLatency = writeLatency;
        this.rowsRead = rowsRead;
        this.readRequests = readRequests;
        this.rowsWritten = rowsWritten;
        this.writeRequests = writeRequests;
        this.failures = failures;
        this.failuresByCause = failuresByCause;
    }

    /**
     * The metrics of {@code table} in this task, registered with Storm on the first call: every state of one task
     * that writes the same table (the per-user stage's write-behind states share {@code keyed_value_log}) adds to
     * the same metrics, which Storm lets a task register once.
     */
    public static StateMetrics register(Map<String, Object> conf, IMetricsContext context, String table) {
        if (context == null) {
            return unregistered();
        }
        synchronized (REGISTERED) {
            return REGISTERED.computeIfAbsent(context, registered -> new HashMap<>())
                    .computeIfAbsent(table, name -> create(conf, context, name));
        }
    }

    /** Per task context (weakly held, so that a stopped worker's go), its metrics by table. */
    private static final Map<IMetricsContext, Map<String, StateMetrics>> REGISTERED = new WeakHashMap<>();

    private static StateMetrics create(Map<String, Object> conf, IMetricsContext context, String table) {
        String prefix = "tally.state." + table + ".";
        int bucket = bucketSeconds(conf);
        StateMetrics metrics = new StateMetrics(new CountMetric(), new CountMetric(), new CountMetric(),
                new CountMetric(), new CountMetric(), new MultiCountMetric(), new ReducedMetric(new MeanReducer()),
                new ReducedMetric(new MeanReducer()), SUMS_BY_TABLE.computeIfAbsent(table, name -> new TableSums()));
        metrics.registerAll(context, prefix, bucket);
        return metrics;
    }

    /**
     * Storm reads each metric on the task's thread, while a write-behind flush records on its own: both go through
     * this object's lock.
     */
    private void registerAll(IMetricsContext context, String prefix, int bucket) {
        register(context, prefix + "rows_read", rowsRead, bucket);
        register(context, prefix + "read_requests", readRequests, bucket);
        register(context, prefix + "rows_written", rowsWritten, bucket);
        register(context, prefix + "write_requests", writeRequests, bucket);
        register(context, prefix + "failures", failures, bucket);
        register(context, prefix + "failures_by_cause", failuresByCause, bucket);
        register(context, prefix + "read_latency_ms", readLatency, bucket);
        register(context, prefix + "write_latency_ms", writeLatency, bucket);
    }

    private void register(IMetricsContext context, String name, IMetric metric, int bucket) {
        context.registerMetric(name, () -> {
            synchronized (this) {
                return metric.getValueAndReset();
            }
        }, bucket);
    }

    /** The topology's metrics period, in seconds: the same as Storm's built-in metrics. */
    public static int bucketSeconds(Map<String, Object> conf) {
        return ObjectReader.getInt(conf.get(Config.TOPOLOGY_BUILTIN_METRICS_BUCKET_SIZE_SECS), 60);
    }

    /** Counts that are kept but reported nowhere, for use outside a topology. */
    public static StateMetrics unregistered() {
        return new StateMetrics(new CountMetric(), new CountMetric(), new CountMetric(), new CountMetric(),
                new CountMetric(), new MultiCountMetric(), new ReducedMetric(new MeanReducer()),
                new ReducedMetric(new MeanReducer()), SUMS_BY_TABLE.computeIfAbsent(UNREGISTERED,
                        name -> new TableSums()));
    }

    /** Where {@link #totalsByTable()} counts the {@linkplain #unregistered() unregistered} metrics. */
    static final String UNREGISTERED = "(unregistered)";

    synchronized void read(int rows, int requests) {
        rowsRead.incrBy(rows);
        readRequests.incrBy(requests);
        sums.rowsRead.add(rows);
        sums.readRequests.add(requests);
    }

    /** A batch partition's reads, all their requests answered after {@code nanos}. */
    synchronized void read(int rows, int requests, long nanos) {
        read(rows, requests);
        readLatency.update(nanos / 1e6);
    }

    /** A batch partition's writes, all their requests answered after {@code nanos}. */
    synchronized void wrote(int rows, int requests, long nanos) {
        wrote(rows, requests);
        writeLatency.update(nanos / 1e6);
    }

    synchronized void wrote(int rows, int requests) {
        rowsWritten.incrBy(rows);
        writeRequests.incrBy(requests);
        sums.rowsWritten.add(rows);
        sums.writeRequests.add(requests);
    }

    /** This JVM's running sums for one table, over all its state partitions. */
    private static final class TableSums {
        final LongAdder rowsRead = new LongAdder();
        final LongAdder readRequests = new LongAdder();
        final LongAdder rowsWritten = new LongAdder();
        final LongAdder writeRequests = new LongAdder();
        final LongAdder failedCalls = new LongAdder();

        Totals totals() {
            return new Totals(rowsRead.sum(), readRequests.sum(), rowsWritten.sum(), writeRequests.sum(),
                    failedCalls.sum());
        }
    }

    private static final Map<String, TableSums> SUMS_BY_TABLE = new ConcurrentHashMap<>();

    /**
     * The totals of every state partition in this JVM: what a benchmark running the topology in LocalCluster reads
     * to report the cost per event. On a cluster, read the per-task Storm metrics instead.
     */
    public static Totals totals() {
        return totalsByTable().values().stream().reduce(Totals.NONE, Totals::plus);
    }

    /** {@link #totals()} per table, in name order: where a topology's Cassandra rows go. */
    public static Map<String, Totals> totalsByTable() {
        Map<String, Totals> byTable = new TreeMap<>();
        SUMS_BY_TABLE.forEach((table, sums) -> byTable.put(table, sums.totals()));
        return byTable;
    }

    private static final Map<String, LongAdder> TOTAL_FAILURES_BY_CAUSE = new ConcurrentHashMap<>();

    /** Failed calls of every state in this JVM by {@linkplain #causeOf cause}, in name order. */
    public static Map<String, Long> failuresByCause() {
        Map<String, Long> byCause = new TreeMap<>();
        TOTAL_FAILURES_BY_CAUSE.forEach((cause, count) -> byCause.put(cause, count.sum()));
        return byCause;
    }

    synchronized void failed(Throwable cause) {
        String name = causeOf(cause);
        failures.incr();
        failuresByCause.scope(name).incr();
        sums.failedCalls.increment();
        TOTAL_FAILURES_BY_CAUSE.computeIfAbsent(name, key -> new LongAdder()).increment();
    }

    /** The simple class name of what went wrong, beneath the future's wrapping. */
    static String causeOf(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause == null ? "unknown" : cause.getClass().getSimpleName();
    }
}
