package io.tally.state.cassandra;

import io.tally.state.cassandra.internal.CassandraChangelog;
import io.tally.state.cassandra.internal.CassandraKeySpill;
import io.tally.state.cassandra.internal.StateMetrics;
import io.tally.state.keyed.KeyChangelog;
import io.tally.state.keyed.KeySpill;
import java.util.Map;
import org.apache.storm.task.IMetricsContext;

/**
 * Where a keyed stage's {@link io.tally.state.keyed.FirstSeenState} keeps its keys in Cassandra: the changelog it
 * restores from ({@code keyed_state_log}) and the spill of the keys past its memory budget
 * ({@code keyed_state_spill_by_bucket}).
 * Each reports its calls as the Storm metrics of its table in the task of {@code metrics}, or nowhere when that is
 * null.
 */
public final class CassandraKeyedState {

    private CassandraKeyedState() {
    }

    public static KeyChangelog changelog(CassandraSettings settings, Map<String, Object> conf,
            IMetricsContext metrics) {
        return new CassandraChangelog(settings, StateMetrics.register(conf, metrics, CassandraChangelog.TABLE));
    }

    public static KeySpill spill(CassandraSettings settings, Map<String, Object> conf, IMetricsContext metrics) {
        return new CassandraKeySpill(settings, StateMetrics.register(conf, metrics, CassandraKeySpill.TABLE));
    }
}
