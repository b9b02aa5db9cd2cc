package io.tally.state.keyed;

import io.tally.state.cassandra.CassandraKeyedState;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.CassandraStateMetrics;
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
     *     {@code keyed_state_spill_by_bucket} (see {@link ChangelogFirstSeenState})
     */
    public FirstSeenStateFactory(CassandraSettings settings, String store, Duration retention, KeyRoute route,
            long memoryBudgetBytes) {
        this.settings = settings;
        this.store = store;
        this.retention = retention;
        this.route = route;
        this.memoryBudgetBytes = memoryBudgetBytes;
    }

    /**
     * The state of a stage of one partition, logging to {@code changelog}, with no memory budget: for use outside a
     * topology, e.g. to measure what its keys take on the heap beside their {@linkplain FirstSeenState#heldBytes
     * weight}.
     */
    public static FirstSeenState unpartitioned(String store, Duration retention, KeyRoute route,
            KeyChangelog changelog) {
        return new ChangelogFirstSeenState(store, retention.toMillis(), 0, 1, route, changelog,
                System::currentTimeMillis);
    }

    @Override
    public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex, int numPartitions) {
        ChangelogFirstSeenState state = new ChangelogFirstSeenState(store, retention.toMillis(), partitionIndex,
                numPartitions, route, CassandraKeyedState.changelog(settings, conf, metrics), System::currentTimeMillis,
                memoryBudgetBytes, CassandraKeyedState.spill(settings, conf, metrics));
        if (metrics != null) {
            metrics.registerMetric("tally.state." + store.substring(store.lastIndexOf('/') + 1) + ".keys",
                    state::size, CassandraStateMetrics.bucketSeconds(conf));
        }
        return state;
    }
}
