package io.tally.state.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
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
}
