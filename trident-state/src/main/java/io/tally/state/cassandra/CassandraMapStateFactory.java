package io.tally.state.cassandra;

import io.tally.state.cassandra.internal.CassandraBackingMap;
import io.tally.state.cassandra.internal.CassandraValueLog;
import io.tally.state.cassandra.internal.KnownRowKeys;
import io.tally.state.cassandra.internal.StateMetrics;
import io.tally.state.cassandra.internal.WriteBehindBackingMap;
import io.tally.state.forwarding.ForwardingMapState;
import java.time.Duration;
import java.util.Map;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.state.map.CachedMap;
import org.apache.storm.trident.state.map.IBackingMap;
import org.apache.storm.trident.state.map.MapState;
import org.apache.storm.trident.state.map.OpaqueMap;

/**
 * Trident state factories for Cassandra map tables.
 *
 * <p>{@link #opaque} keeps, beside each value, the value from before the batch that last wrote it, so a replayed
 * batch is applied once whether or not its first attempt reached Cassandra. That is exact as long as the replay
 * touches the same keys as the first attempt, which Tally's transactional spouts guarantee (they replay exactly the
 * same records); a recomposed replay would leave a failed attempt's value on keys it no longer touches. Each row
 * keeps the value from before the
 * batch beside the current one.
 */
public final class CassandraMapStateFactory<T> implements StateFactory {
    private static final long serialVersionUID = 1L;

    /**
     * Default per-partition cache: rows recently read or written stay in memory, so a key updated by
     * consecutive batches is read from Cassandra once. Safe because groupBy routes a key to one partition.
     */
    public static final int DEFAULT_CACHE_ENTRIES = 100_000;

    private final CassandraSettings settings;
    private final MapTable<T> table;
    private final int cacheEntries;
    private final boolean knownKeys;
    private final RowRoute route;
    private final Duration recent;
    private final String writeBehindStore;
    private final Duration flushEvery;
    private final long memoryBytes;

    private CassandraMapStateFactory(CassandraSettings settings, MapTable<T> table, int cacheEntries,
            boolean knownKeys, RowRoute route, Duration recent) {
        this(settings, table, cacheEntries, knownKeys, route, recent, null, null, 0);
    }

    private CassandraMapStateFactory(CassandraSettings settings, MapTable<T> table, int cacheEntries,
            boolean knownKeys, RowRoute route, Duration recent, String writeBehindStore, Duration flushEvery,
            long memoryBytes) {
        this.memoryBytes = memoryBytes;
        this.writeBehindStore = writeBehindStore;
        this.flushEvery = flushEvery;
        this.settings = settings;
        this.table = table;
        this.cacheEntries = cacheEntries;
        this.knownKeys = knownKeys;
        this.route = route;
        this.recent = recent;
    }

    public static <T> CassandraMapStateFactory<T> opaque(CassandraSettings settings, MapTable<T> table) {
        return new CassandraMapStateFactory<>(settings, table, DEFAULT_CACHE_ENTRIES, false, null, null);
    }

    /**
     * The same factory, with each partition answering keys that no row holds without reading them: it scans the
     * table's keys when it starts, keeps those that {@code route} sends to it, and adds every key it writes (see
     * {@link io.tally.state.cassandra.internal.KnownRowKeys}, which argues why no row is missed). Only for a table
     * whose keys are each written by the one partition {@code route} names, and by no other topology.
     *
     * @param route null: each partition keeps every row's key (for a table whose rows are few, or recent)
     * @param recent for a table of time buckets, how old a bucket may be for the partition to answer for it without
     *     a read (older ones are always read); null: any
     */
    public CassandraMapStateFactory<T> withKnownKeys(RowRoute route, Duration recent) {
        return new CassandraMapStateFactory<>(settings, table, cacheEntries, true, route, recent, writeBehindStore,
                flushEvery, memoryBytes);
    }

    /**
     * The same factory, with each partition's changed values held in its memory and logged to
     * {@code keyed_value_log} once per batch, and written to the table once per {@code flushEvery} (see
     * {@link WriteBehindBackingMap}, which argues why that stays exactly once). For state that only the topology
     * reads: the table's rows lag its values by up to {@code flushEvery}. Needs {@link #withKnownKeys} with a route,
     * which says which partition owns a key a restore reads back, and a codec with a byte form. Its values are cached
     * by their weight in memory, up to {@code memoryBytes} per partition, instead of by {@link #withCacheEntries}.
     *
     * @param store the log's name for this state, unique per topology and table
     */
    public CassandraMapStateFactory<T> withWriteBehind(String store, Duration flushEvery, long memoryBytes) {
        if (route == null) {
            throw new IllegalStateException(table.name() + ": a write-behind state needs known keys with a route");
        }
        if (flushEvery.isNegative() || flushEvery.isZero()) {
            throw new IllegalArgumentException("a flush interval must be positive, was " + flushEvery);
        }
        if (memoryBytes <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive, was " + memoryBytes + " bytes");
        }
        return new CassandraMapStateFactory<>(settings, table, cacheEntries, knownKeys, route, recent, store,
                flushEvery, memoryBytes);
    }

    /** The same factory with another cache size; 0 disables the cache. */
    public CassandraMapStateFactory<T> withCacheEntries(int entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("cache entries must not be negative, was " + entries);
        }
        return new CassandraMapStateFactory<>(settings, table, entries, knownKeys, route, recent, writeBehindStore,
                flushEvery, memoryBytes);
    }

    /**
     * A write-behind partition's memory alone, with no table or log behind it: every value put is held and none is
     * written. For measuring outside a topology what held values take on the heap, beside the weight that
     * {@link #withWriteBehind}'s memory budget counts them as.
     */
    public static <T> HeldValues<T> heldOnly(MapTable<T> table) {
        return WriteBehindBackingMap.detached(table);
    }

    public MapTable<T> table() {
        return table;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"}) // OpaqueMap.build takes the raw OpaqueValue type
    public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex, int numPartitions) {
        StateMetrics stateMetrics = StateMetrics.register(conf, metrics, table.name());
        KnownRowKeys known = null;
        if (knownKeys) {
            known = new KnownRowKeys(table.name(), route, partitionIndex, numPartitions,
                    recent == null ? Long.MAX_VALUE : recent.toMillis());
            known.scanStart(settings, table, stateMetrics);
        }
        CassandraBackingMap<T> backing = new CassandraBackingMap<>(settings, table, stateMetrics, known);
        if (writeBehindStore == null) {
            IBackingMap rows = backing;
            return cacheEntries == 0 ? OpaqueMap.build(rows) : OpaqueMap.build(new CachedMap(rows, cacheEntries));
        }
        CassandraValueLog log = new CassandraValueLog(settings, StateMetrics.register(conf, metrics,
                CassandraValueLog.TABLE));
        WriteBehindBackingMap<T> writeBehind = new WriteBehindBackingMap<>(writeBehindStore, table, backing,
                backing.everyRow(), log, route, partitionIndex, numPartitions, flushEvery.toMillis(), memoryBytes,
                System::currentTimeMillis, WriteBehindBackingMap.Flusher.onThreadNamed(
                        "tally-flush-" + writeBehindStore + "-" + partitionIndex));
        MapState<T> state = OpaqueMap.build((IBackingMap) writeBehind);
        return new ForwardingMapState<>(state) {
            @Override
            public void commit(Long txid) {
                super.commit(txid);
                writeBehind.committed(txid);
            }
        };
    }
}
