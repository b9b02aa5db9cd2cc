package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.Row;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
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
    /** The select's column of the claim's remaining TTL in seconds; -1 when the table keeps claims forever. */
    private final int ttlColumn;
    private PreparedTable prepared;

    /**
     * Where the claiming record was read, and for how long from now the claim holds: its row's time to live
     * ({@link #FOREVER} without one).
     */
    private record Claimer(String source, long position, Duration holds) {
        boolean is(Claim claim) {
            return position == claim.position() && source.equals(claim.source());
        }
    }

    /** A key not in the cache, until Cassandra answers: claimed there, or unclaimed. */
    private static final Claimer UNKNOWN = new Claimer("", -1, Duration.ZERO);

    private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

    /**
     * Taken off a claim's time to live before it is cached: Cassandra counts expiry in whole seconds from its own
     * clock, so a row may expire up to a second before the TTL it reports (or was written with) runs out here.
     */
    private static final Duration EXPIRY_ROUNDING = Duration.ofSeconds(1);


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
        // The select lists ClaimTable.columns() (the key columns first, then source and position), then the claim's
        // remaining TTL when the table has one.
        this.keyColumns = table.keyColumns().size();
        this.sourceColumn = table.columns().indexOf(ClaimTable.SOURCE_COLUMN);
        this.positionColumn = table.columns().indexOf(ClaimTable.POSITION_COLUMN);
        this.ttlColumn = table.ttlSeconds() > 0 ? table.columns().size() : -1;
        this.cache = new ClaimCache(cacheEntries);
    }

    /** For how long a claim written now holds. */
    private Duration newClaimHolds() {
        return table.ttlSeconds() > 0 ? Duration.ofSeconds(table.ttlSeconds()) : FOREVER;
    }

    /** For how long a claim read back holds: the TTL left on its row, which may predate the table's current TTL. */
    private Duration storedClaimHolds(Row row) {
        return ttlColumn < 0 || row.isNull(ttlColumn) ? FOREVER : Duration.ofSeconds(row.getInt(ttlColumn));
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
                Claimer stored = new Claimer(row.getString(sourceColumn), row.getLong(positionColumn),
                        storedClaimHolds(row));
                claimers.put(rowKey, stored);
                cache.put(rowKey, stored);
            }
        }
        // Unclaimed keys go to their first record in this batch.
        Map<RowKey, Claimer> newClaims = new LinkedHashMap<>();
        Duration newClaimHolds = newClaimHolds();
        List<Boolean> counts = new ArrayList<>(claims.size());
        for (int i = 0; i < claims.size(); i++) {
            Claim claim = claims.get(i);
            RowKey rowKey = rowKeys.get(i);
            Claimer claimer = claimers.get(rowKey);
            if (claimer == UNKNOWN) {
                claimer = new Claimer(claim.source(), claim.position(), newClaimHolds);
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
            List<String> selected = table.columns();
            if (ttlColumn >= 0) {
                selected.add("TTL(" + ClaimTable.SOURCE_COLUMN + ")");
            }
            prepared = PreparedTable.connect(settings,
                    TableStatements.selectIn(keyspace, table.name(), selected, table.keyColumns()),
                    TableStatements.insert(keyspace, table.name(), table.columns(), table.ttlSeconds()), requests);
        }
        return prepared;
    }

    /**
     * Known claims, each until its row in Cassandra may have expired, so that a key whose claim has expired is
     * claimed anew exactly when Cassandra would say it is unclaimed. Caffeine's admission by frequency matters
     * here: most keys are seen once (a new {@code messageId}, a user's first event of a kind on a day), and under
     * least-recently-used eviction those one-off keys pushed out the keys that recur (a user's all-events key of the
     * day, read again for each of the user's events).
     */
    private static final class ClaimCache {
        private final Cache<RowKey, Claimer> entries;

        ClaimCache(int capacity) {
            this.entries = capacity == 0 ? null : Caffeine.newBuilder()
                    .maximumSize(capacity)
                    .expireAfter(Expiry.<RowKey, Claimer>writing((key, claimer) -> claimer.holds() == FOREVER ? FOREVER
                            : claimer.holds().compareTo(EXPIRY_ROUNDING) <= 0 ? Duration.ZERO
                            : claimer.holds().minus(EXPIRY_ROUNDING)))
                    // One state partition uses its cache from one thread; upkeep on that thread keeps it off the
                    // common fork-join pool.
                    .executor(Runnable::run)
                    .build();
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
