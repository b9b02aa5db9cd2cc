package io.tally.state.cassandra.internal;

import java.util.concurrent.atomic.LongAdder;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.task.IMetricsContext;

/**
 * What a state partition costs Cassandra, as Storm metrics: rows read and written, the requests that
 * carried them, and failed calls (each of which made Trident replay a batch).
 */
public final class StateMetrics {
    private static final int BUCKET_SECONDS = 60;

    private final CountMetric rowsRead;
    private final CountMetric readRequests;
    private final CountMetric rowsWritten;
    private final CountMetric writeRequests;
    private final CountMetric failures;

    private StateMetrics(CountMetric rowsRead, CountMetric readRequests, CountMetric rowsWritten,
            CountMetric writeRequests, CountMetric failures) {
        this.rowsRead = rowsRead;
        this.readRequests = readRequests;
        this.rowsWritten = rowsWritten;
        this.writeRequests = writeRequests;
        this.failures = failures;
    }

    public static StateMetrics register(IMetricsContext context, String table) {
        if (context == null) {
            return unregistered();
        }
        String prefix = "tally.state." + table + ".";
        return new StateMetrics(
                context.registerMetric(prefix + "rows_read", new CountMetric(), BUCKET_SECONDS),
                context.registerMetric(prefix + "read_requests", new CountMetric(), BUCKET_SECONDS),
                context.registerMetric(prefix + "rows_written", new CountMetric(), BUCKET_SECONDS),
                context.registerMetric(prefix + "write_requests", new CountMetric(), BUCKET_SECONDS),
                context.registerMetric(prefix + "failures", new CountMetric(), BUCKET_SECONDS));
    }

    /** Counts that are kept but reported nowhere, for use outside a topology. */
    public static StateMetrics unregistered() {
        return new StateMetrics(new CountMetric(), new CountMetric(), new CountMetric(), new CountMetric(),
                new CountMetric());
    }

    void read(int rows, int requests) {
        rowsRead.incrBy(rows);
        readRequests.incrBy(requests);
        TOTAL_ROWS_READ.add(rows);
        TOTAL_READ_REQUESTS.add(requests);
    }

    void wrote(int rows, int requests) {
        rowsWritten.incrBy(rows);
        writeRequests.incrBy(requests);
        TOTAL_ROWS_WRITTEN.add(rows);
        TOTAL_WRITE_REQUESTS.add(requests);
    }

    private static final LongAdder TOTAL_ROWS_READ = new LongAdder();
    private static final LongAdder TOTAL_READ_REQUESTS = new LongAdder();
    private static final LongAdder TOTAL_ROWS_WRITTEN = new LongAdder();
    private static final LongAdder TOTAL_WRITE_REQUESTS = new LongAdder();
    private static final LongAdder TOTAL_FAILED_CALLS = new LongAdder();

    /** Cassandra rows and requests of every state in this JVM since it started. */
    public record Totals(long rowsRead, long readRequests, long rowsWritten, long writeRequests, long failedCalls) {
    }

    /**
     * The totals of every state partition in this JVM: what a benchmark running the topology in LocalCluster reads
     * to report the cost per event. On a cluster, read the per-task Storm metrics instead.
     */
    public static Totals totals() {
        return new Totals(TOTAL_ROWS_READ.sum(), TOTAL_READ_REQUESTS.sum(), TOTAL_ROWS_WRITTEN.sum(),
                TOTAL_WRITE_REQUESTS.sum(), TOTAL_FAILED_CALLS.sum());
    }

    void failed() {
        failures.incr();
        TOTAL_FAILED_CALLS.add(1);
    }
}
