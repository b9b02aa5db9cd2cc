package io.tally.state.cassandra;

import io.tally.state.cassandra.internal.CassandraClaimState;
import io.tally.state.cassandra.internal.StateMetrics;
import java.util.Map;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;

/** Makes a {@link FirstClaimState} over a {@link ClaimTable} for each state partition. */
public final class FirstClaimStateFactory implements StateFactory {
    private static final long serialVersionUID = 1L;

    /** Default claims cached per partition: enough for a day's active users of a busy partition. */
    public static final int DEFAULT_CACHE_ENTRIES = 200_000;

    private final CassandraSettings settings;
    private final ClaimTable table;
    private final int cacheEntries;

    private FirstClaimStateFactory(CassandraSettings settings, ClaimTable table, int cacheEntries) {
        this.settings = settings;
        this.table = table;
        this.cacheEntries = cacheEntries;
    }

    public static FirstClaimStateFactory of(CassandraSettings settings, ClaimTable table) {
        return new FirstClaimStateFactory(settings, table, DEFAULT_CACHE_ENTRIES);
    }

    /** The same factory with another cache size; 0 disables the cache. */
    public FirstClaimStateFactory withCacheEntries(int entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("cache entries must not be negative, was " + entries);
        }
        return new FirstClaimStateFactory(settings, table, entries);
    }

    public ClaimTable table() {
        return table;
    }

    @Override
    public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex, int numPartitions) {
        return new CassandraClaimState(settings, table, cacheEntries, StateMetrics.register(conf, metrics, table.name()));
    }
}
