package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.Row;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.ClaimTable;
import io.tally.state.cassandra.FirstClaimState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
     * Where the claiming record was read, and until when ({@link System#nanoTime()}) a cached copy may answer for the
     * claim's row: {@link #FOREVER} for a row that does not expire.
     */
    private record Claimer(String source, long position, long trustedUntilNanos) {
        boolean is(Claim claim) {
            return position == claim.position() && source.equals(claim.source());
        }

        /** Nanoseconds from {@code now} that the claim may still answer from the cache (0: no longer). */
        long trustLeft(long now) {
            return trustedUntilNanos == FOREVER ? Long.MAX_VALUE : Math.max(0, trustedUntilNanos - now);
        }
    }

    /** A key not in the cache, until Cassandra answers: claimed there, or unclaimed. */
    private static final Claimer UNKNOWN = new Claimer("", -1, 0);

    private static final long FOREVER = Long.MAX_VALUE;

    /**
     * Until when a claim whose row had {@code ttlSeconds} left when Cassandra handled a request sent at
     * {@code sentNanos} may answer from the cache. Cassandra counts expiry in whole seconds of its own clock, so the
     * row may expire up to a second before that TTL runs out from the moment it handled the request, which is no
     * earlier than the moment the request was sent.
     */
    private static long trustedUntil(long sentNanos, long ttlSeconds) {
        return sentNanos + TimeUnit.SECONDS.toNanos(ttlSeconds - 1);
    }

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
        this.cache = new ClaimCache(cacheEntries, ttlColumn >= 0);
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
            long sent = System.nanoTime();
            for (Row row : partitioned.readByKeys(p.session(), p.selectIn(), p.read(), unknown)) {
                List<Object> columns = new ArrayList<>(keyColumns);
                for (int i = 0; i < keyColumns; i++) {
                    columns.add(row.getObject(i));
                }
                RowKey rowKey = new RowKey(columns);
                // The TTL left on the row, which may predate the table's current TTL.
                Claimer stored = new Claimer(row.getString(sourceColumn), row.getLong(positionColumn),
                        ttlColumn < 0 || row.isNull(ttlColumn) ? FOREVER : trustedUntil(sent, row.getInt(ttlColumn)));
                claimers.put(rowKey, stored);
                cache.put(rowKey, stored);
            }
        }
        // Unclaimed keys go to their first record in this batch.
        Map<RowKey, Claimer> newClaims = new LinkedHashMap<>();
        long newClaimsTrustedUntil = ttlColumn < 0 ? FOREVER : trustedUntil(System.nanoTime(), table.ttlSeconds());
        List<Boolean> counts = new ArrayList<>(claims.size());
        for (int i = 0; i < claims.size(); i++) {
            Claim claim = claims.get(i);
            RowKey rowKey = rowKeys.get(i);
            Claimer claimer = claimers.get(rowKey);
            if (claimer == UNKNOWN) {
                claimer = new Claimer(claim.source(), claim.position(), newClaimsTrustedUntil);
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
     * Known claims, each until its row in Cassandra may have expired: a key whose row has expired is looked up in
     * Cassandra again, so it is claimed anew exactly when Cassandra says it is unclaimed. Caffeine's admission by
     * frequency matters here: most keys are seen once (a new {@code messageId}, a user's first event of a kind on a
     * day), and under least-recently-used eviction those one-off keys pushed out the keys that recur (a user's
     * all-events key of the day, read again for each of the user's events).
     */
    private static final class ClaimCache {
        private final Cache<RowKey, Claimer> entries;

        ClaimCache(int capacity, boolean expiring) {
            if (capacity == 0) {
                this.entries = null;
                return;
            }
            Caffeine<Object, Object> builder = Caffeine.newBuilder()
                    .maximumSize(capacity)
                    // One state partition uses its cache from one thread; upkeep on that thread keeps it off the
                    // common fork-join pool.
                    .executor(Runnable::run);
            this.entries = expiring
                    ? builder.expireAfter(new UntilTrusted()).build()
                    : builder.<RowKey, Claimer>build();
        }

        Claimer get(RowKey key) {
            return entries == null ? null : entries.getIfPresent(key);
        }

        void put(RowKey key, Claimer claimer) {
            if (entries != null && claimer.trustLeft(System.nanoTime()) > 0) {
                entries.put(key, claimer);
            }
        }
    }

    /** Expires a cached claim when it is no longer trusted (the cache's clock is {@link System#nanoTime()}). */
    private static final class UntilTrusted implements Expiry<RowKey, Claimer> {
        @Override
        public long expireAfterCreate(RowKey key, Claimer claimer, long currentTime) {
            return claimer.trustLeft(currentTime);
        }

        @Override
        public long expireAfterUpdate(RowKey key, Claimer claimer, long currentTime, long currentDuration) {
            return expireAfterCreate(key, claimer, currentTime);
        }

        @Override
        public long expireAfterRead(RowKey key, Claimer claimer, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
