package io.tally.state.cassandra;

import io.tally.state.cassandra.internal.StateMetrics;
import java.util.Map;

/**
 * What Tally's Cassandra state reports about itself, for use outside it. Each state partition reports Storm metrics
 * per table, {@code tally.state.<table>.*} (see {@code docs/metrics-and-logs.md}); this class reads the same counts
 * summed over every state in this JVM, which is what a benchmark or a test running the topology in one JVM wants, and
 * says at what period the metrics are reported, so that other metrics of a topology can be reported with them.
 */
public final class CassandraStateMetrics {

    private CassandraStateMetrics() {
    }

    /** Cassandra rows and requests of every state in this JVM since it started. */
    public record Totals(long rowsRead, long readRequests, long rowsWritten, long writeRequests, long failedCalls) {
        public static final Totals NONE = new Totals(0, 0, 0, 0, 0);

        public Totals plus(Totals other) {
            return new Totals(rowsRead + other.rowsRead, readRequests + other.readRequests,
                    rowsWritten + other.rowsWritten, writeRequests + other.writeRequests,
                    failedCalls + other.failedCalls);
        }

        /** What was added since {@code before}. */
        public Totals minus(Totals before) {
            return new Totals(rowsRead - before.rowsRead, readRequests - before.readRequests,
                    rowsWritten - before.rowsWritten, writeRequests - before.writeRequests,
                    failedCalls - before.failedCalls);
        }
    }

    /**
     * The totals of every state partition in this JVM: what a benchmark running the topology in LocalCluster reads
     * to report the cost per event. On a cluster, read the per-task Storm metrics instead.
     */
    public static Totals totals() {
        return StateMetrics.totals();
    }

    /** {@link #totals()} per table, in name order: where a topology's Cassandra rows go. */
    public static Map<String, Totals> totalsByTable() {
        return StateMetrics.totalsByTable();
    }

    /**
     * Failed calls of every state in this JVM by cause, in name order: the simple class name of the driver's
     * exception, e.g. {@code WriteTimeoutException}, {@code AllNodesFailedException} (no node reachable).
     */
    public static Map<String, Long> failuresByCause() {
        return StateMetrics.failuresByCause();
    }

    /**
     * The period, in seconds, at which the state's metrics are reported: Storm's period for its built-in metrics
     * ({@code topology.builtin.metrics.bucket.size.secs}, default 60 s).
     */
    public static int bucketSeconds(Map<String, Object> conf) {
        return StateMetrics.bucketSeconds(conf);
    }
}
