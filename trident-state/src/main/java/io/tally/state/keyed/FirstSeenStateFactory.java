package io.tally.state.keyed;

import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.internal.CassandraChangelog;
import io.tally.state.cassandra.internal.CassandraKeySpill;
import io.tally.state.cassandra.internal.StateMetrics;
import io.tally.state.keyed.internal.ChangelogFirstSeenState;
import java.time.Duration;
import java.util.Map;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;

/** Makes the {@link FirstSeenState} of each partition of a keyed stage, logging to {@code keyed_state_log}. */
public final class FirstSeenStateFactory implements StateFactory {
    private static final long serialVersionUID = 1L;

    private final CassandraSettings settings;
    private final String store;
    private final Duration retention;
    private final KeyRoute route;
    private final long memoryBudgetBytes;

    /**
     * @param store the state's name in the changelog: the topology's name and the stage's, so that two topologies
     *     sharing a keyspace never read each other's keys
     * @param route how the topology routes each key to a partition
     * @param memoryBudgetBytes what each partition's keys may weigh in memory before the oldest move to
     *     {@code keyed_state_spill} (see {@link ChangelogFirstSeenState})
     */
    public FirstSeenStateFactory(CassandraSettings settings, String store, Duration retention, KeyRoute route,
            long memoryBudgetBytes) {
        this.settings = settings;
        this.store = store;
        this.retention = retention;
        this.route = route;
        this.memoryBudgetBytes = memoryBudgetBytes;
    }

    @Override
    public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex, int numPartitions) {
        ChangelogFirstSeenState state = new ChangelogFirstSeenState(store, retention.toMillis(), partitionIndex,
                numPartitions, route, new CassandraChangelog(settings,
                        StateMetrics.register(conf, metrics, CassandraChangelog.TABLE)), System::currentTimeMillis,
                memoryBudgetBytes, new CassandraKeySpill(settings,
                        StateMetrics.register(conf, metrics, CassandraKeySpill.TABLE)));
        if (metrics != null) {
            metrics.registerMetric("tally.state." + store.substring(store.lastIndexOf('/') + 1) + ".keys",
                    state::size, StateMetrics.bucketSeconds(conf));
        }
        return state;
    }
}
