package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.Row;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.ClaimTable;
import io.tally.state.cassandra.FirstClaimState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link FirstClaimState} on a Cassandra {@link ClaimTable}, with a bounded cache of known claims. */
public final class CassandraClaimState implements FirstClaimState {
    private final CassandraSettings settings;
    private final ClaimTable table;
    private final BoundedRequests requests;
    private final PartitionedRequests partitioned;
    private final ClaimCache cache;
    private final int keyColumns;
    private final int sourceColumn;
    private final int positionColumn;
    private PreparedTable prepared;

    /** Where the claiming record was read. */
    private record Claimer(String source, long position) {
        boolean is(Claim claim) {
            return position == claim.position() && source.equals(claim.source());
        }
    }

    /** A key not in the cache, until Cassandra answers: claimed there, or unclaimed. */
    private static final Claimer UNKNOWN = new Claimer("", -1);

    /**
     * A row's key columns with their hash computed once: a batch looks each key up four or five times, and hashing
     * the columns each time was a seventh of the claim task's time.
     */
    private record RowKey(List<Object> columns, int hash) {
        RowKey(List<Object> columns) {
            this(columns, columns.hashCode());
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof RowKey key && hash == key.hash && columns.equals(key.columns);
        }
    }

    public CassandraClaimState(CassandraSettings settings, ClaimTable table, int cacheEntries, StateMetrics metrics) {
        this.settings = settings;
        this.table = table;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + table.name(), metrics);
        this.partitioned = new PartitionedRequests(requests, metrics);
        // The select lists ClaimTable.columns(): the key columns first, then source and position.
        this.keyColumns = table.keyColumns().size();
        this.sourceColumn = table.columns().indexOf(ClaimTable.SOURCE_COLUMN);
        this.positionColumn = table.columns().indexOf(ClaimTable.POSITION_COLUMN);
        // A cached claim is trusted for half the table's TTL from when it was cached. A claim written here expires
        // in the cache first; one read back late in its life may outlive Cassandra's copy by up to that half, so a
        // key seen again just after the window may still be taken as claimed (the window is that approximate).
        this.cache = new ClaimCache(cacheEntries, table.ttlSeconds() * 500L);
    }

    @Override
    public void beginCommit(Long txid) {
    }

    @Override
    public void commit(Long txid) {
    }

    @Override
    public List<Boolean> claim(List<Claim> claims) {
        if (claims.isEmpty()) {
            return List.of();
        }
        Map<RowKey, Claimer> claimers = new HashMap<>();
        List<RowKey> rowKeys = new ArrayList<>(claims.size());
        List<List<Object>> unknown = new ArrayList<>();
        for (Claim claim : claims) {
            RowKey rowKey = new RowKey(table.keyMapper().toColumns(claim.key()));
            rowKeys.add(rowKey);
            if (claimers.get(rowKey) == null) {
                Claimer cached = cache.get(rowKey);
                if (cached == null) {
                    claimers.put(rowKey, UNKNOWN);
                    unknown.add(rowKey.columns());
                } else {
                    claimers.put(rowKey, cached);
                }
            }
        }
        if (!unknown.isEmpty()) {
            PreparedTable p = prepared();
            for (Row row : partitioned.readByKeys(p.session(), p.selectIn(), p.read(), unknown)) {
                List<Object> columns = new ArrayList<>(keyColumns);
                for (int i = 0; i < keyColumns; i++) {
                    columns.add(row.getObject(i));
                }
                RowKey rowKey = new RowKey(columns);
                Claimer stored = new Claimer(row.getString(sourceColumn), row.getLong(positionColumn));
                claimers.put(rowKey, stored);
                cache.put(rowKey, stored);
            }
        }
        // Unclaimed keys go to their first record in this batch.
        Map<RowKey, Claimer> newClaims = new LinkedHashMap<>();
        List<Boolean> counts = new ArrayList<>(claims.size());
        for (int i = 0; i < claims.size(); i++) {
            Claim claim = claims.get(i);
            RowKey rowKey = rowKeys.get(i);
            Claimer claimer = claimers.get(rowKey);
            if (claimer == UNKNOWN) {
                claimer = new Claimer(claim.source(), claim.position());
                claimers.put(rowKey, claimer);
                newClaims.put(rowKey, claimer);
            }
            counts.add(claimer.is(claim));
        }
        write(newClaims);
        newClaims.forEach(cache::put);
        return counts;
    }

    private void write(Map<RowKey, Claimer> newClaims) {
        if (newClaims.isEmpty()) {
            return;
        }
        List<List<Object>> rows = new ArrayList<>(newClaims.size());
        newClaims.forEach((rowKey, claimer) -> {
            List<Object> row = new ArrayList<>(rowKey.columns());
            row.add(claimer.source());
            row.add(claimer.position());
            rows.add(row);
        });
        partitioned.writeRows(prepared(), table.partitionKeyColumns().size(), rows);
    }

    private PreparedTable prepared() {
        if (prepared == null) {
            String keyspace = settings.keyspace();
            prepared = PreparedTable.connect(settings,
                    TableStatements.selectIn(keyspace, table.name(), table.columns(), table.keyColumns()),
                    TableStatements.insert(keyspace, table.name(), table.columns(), table.ttlSeconds()), requests);
        }
        return prepared;
    }

    /**
     * Known claims, each trusted for {@code trustMillis} (forever when 0). Caffeine's admission by frequency matters
     * here: most keys are seen once (a new {@code messageId}, a user's first event of a kind on a day), and under
     * least-recently-used eviction those one-off keys pushed out the keys that recur (a user's all-events key of the
     * day, read again for each of the user's events).
     */
    private static final class ClaimCache {
        private final Cache<RowKey, Claimer> entries;

        ClaimCache(int capacity, long trustMillis) {
            if (capacity == 0) {
                this.entries = null;
                return;
            }
            Caffeine<Object, Object> builder = Caffeine.newBuilder()
                    .maximumSize(capacity)
                    // One state partition uses its cache from one thread; upkeep on that thread keeps it off the
                    // common fork-join pool.
                    .executor(Runnable::run);
            if (trustMillis > 0) {
                builder.expireAfterWrite(Duration.ofMillis(trustMillis));
            }
            this.entries = builder.build();
        }

        Claimer get(RowKey key) {
            return entries == null ? null : entries.getIfPresent(key);
        }

        void put(RowKey key, Claimer claimer) {
            if (entries != null) {
                entries.put(key, claimer);
            }
        }
    }
}
