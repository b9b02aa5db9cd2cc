package io.tally.state.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.state.cassandra.CassandraStateMetrics.Totals;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.storm.metric.api.IMetric;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.junit.jupiter.api.Test;

class StateMetricsTest {
    @Test
    void failuresAreCountedByTheCauseBeneathTheFuturesWrapping() {
        long before = StateMetrics.failuresByCause().getOrDefault("TimeoutException", 0L);
        long illegalBefore = StateMetrics.failuresByCause().getOrDefault("IllegalStateException", 0L);
        long callsBefore = StateMetrics.totals().failedCalls();
        StateMetrics metrics = StateMetrics.unregistered();
        metrics.failed(new CompletionException(new ExecutionException(new TimeoutException("slow"))));
        metrics.failed(new TimeoutException("slow"));
        metrics.failed(new IllegalStateException("closed"));

        assertThat(StateMetrics.failuresByCause().get("TimeoutException") - before).isEqualTo(2);
        assertThat(StateMetrics.failuresByCause().get("IllegalStateException") - illegalBefore).isEqualTo(1);
        assertThat(StateMetrics.totals().failedCalls() - callsBefore).isEqualTo(3);
        assertThat(StateMetrics.causeOf(new CompletionException(null))).isEqualTo("CompletionException");
    }

    @Test
    void rowsRequestsAndFailuresAreSummedPerTableOverItsPartitionsAndOverall() {
        Map<String, Totals> before = StateMetrics.totalsByTable();
        Totals totalBefore = StateMetrics.totals();
        IMetricsContext context = new TridentOperationContext((TopologyContext) null, null) {
            @Override
            public <T extends IMetric> T registerMetric(String name, T metric, int timeBucketSizeInSecs) {
                return metric;
            }
        };
        StateMetrics partitionOne = StateMetrics.register(Map.of(), context, "metrics_test_a");
        StateMetrics partitionTwo = StateMetrics.register(Map.of(), context, "metrics_test_a");
        StateMetrics otherTable = StateMetrics.register(Map.of(), context, "metrics_test_b");
        partitionOne.read(10, 1);
        partitionTwo.wrote(7, 2);
        partitionTwo.read(3, 1);
        otherTable.wrote(5, 1);
        otherTable.failed(new TimeoutException("slow"));

        Map<String, Totals> after = StateMetrics.totalsByTable();
        assertThat(after.get("metrics_test_a").minus(before.getOrDefault("metrics_test_a", Totals.NONE)))
                .isEqualTo(new Totals(13, 2, 7, 2, 0));
        assertThat(after.get("metrics_test_b").minus(before.getOrDefault("metrics_test_b", Totals.NONE)))
                .isEqualTo(new Totals(0, 0, 5, 1, 1));
        assertThat(StateMetrics.totals().minus(totalBefore)).isEqualTo(new Totals(13, 2, 12, 3, 1));
    }

    /** Storm's TopologyContext refuses a metric name registered twice in a task, as this context does. */
    @Test
    void twoStatesOfOneTaskWritingOneTableShareItsMetrics() {
        java.util.Set<String> names = new java.util.HashSet<>();
        IMetricsContext task = new TridentOperationContext((TopologyContext) null, null) {
            @Override
            public <T extends IMetric> T registerMetric(String name, T metric, int timeBucketSizeInSecs) {
                if (!names.add(name)) {
                    throw new IllegalStateException("The same metric name `" + name + "` was registered twice.");
                }
                return metric;
            }
        };
        StateMetrics first = StateMetrics.register(Map.of(), task, "metrics_test_shared");
        StateMetrics second = StateMetrics.register(Map.of(), task, "metrics_test_shared");
        assertThat(second).isSameAs(first);
        assertThat(names).contains("tally.state.metrics_test_shared.rows_read");
    }
}
