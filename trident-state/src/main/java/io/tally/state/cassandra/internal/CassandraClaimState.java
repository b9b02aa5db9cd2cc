package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.ClaimTable;
import io.tally.state.cassandra.FirstClaimState;
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
    private PreparedTable prepared;

    /** Where the claiming record was read. */
    private record Claimer(String source, long position) {
        boolean is(Claim claim) {
            return position == claim.position() && source.equals(claim.source());
        }
    }

    public CassandraClaimState(CassandraSettings settings, ClaimTable table, int cacheEntries, StateMetrics metrics) {
        this.settings = settings;
        this.table = table;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + table.name(), metrics);
        this.partitioned = new PartitionedRequests(requests, metrics);
        // A cached claim is trusted for half its lifetime, so the cache never outlives Cassandra's copy.
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
        long now = System.currentTimeMillis();
        Map<List<Object>, Claimer> claimers = new HashMap<>();
        List<List<Object>> rowKeys = new ArrayList<>(claims.size());
        List<List<Object>> unknown = new ArrayList<>();
        for (Claim claim : claims) {
            List<Object> rowKey = table.keyMapper().toColumns(claim.key());
            rowKeys.add(rowKey);
            if (!claimers.containsKey(rowKey)) {
                Claimer cached = cache.get(rowKey, now);
                claimers.put(rowKey, cached);
                if (cached == null) {
                    unknown.add(rowKey);
                }
            }
        }
        if (!unknown.isEmpty()) {
            PreparedTable p = prepared();
            for (Row row : partitioned.readByKeys(p.session(), p.selectIn(), p.read(), unknown)) {
                List<Object> rowKey = new ArrayList<>(rowKeys.get(0).size());
                for (String column : table.keyColumns()) {
                    rowKey.add(row.getObject(column));
                }
                Claimer stored = new Claimer(row.getString(ClaimTable.SOURCE_COLUMN),
                        row.getLong(ClaimTable.POSITION_COLUMN));
                claimers.put(rowKey, stored);
                cache.put(rowKey, stored, now);
            }
        }
        // Unclaimed keys go to their first record in this batch.
        Map<List<Object>, Claimer> newClaims = new LinkedHashMap<>();
        List<Boolean> counts = new ArrayList<>(claims.size());
        for (int i = 0; i < claims.size(); i++) {
            Claim claim = claims.get(i);
            List<Object> rowKey = rowKeys.get(i);
            Claimer claimer = claimers.get(rowKey);
            if (claimer == null) {
                claimer = new Claimer(claim.source(), claim.position());
                claimers.put(rowKey, claimer);
                newClaims.put(rowKey, claimer);
            }
            counts.add(claimer.is(claim));
        }
        write(newClaims);
        newClaims.forEach((rowKey, claimer) -> cache.put(rowKey, claimer, now));
        return counts;
    }

    private void write(Map<List<Object>, Claimer> newClaims) {
        if (newClaims.isEmpty()) {
            return;
        }
        List<List<Object>> rows = new ArrayList<>(newClaims.size());
        newClaims.forEach((rowKey, claimer) -> {
            List<Object> row = new ArrayList<>(rowKey);
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

    /** Least-recently-used claims, each trusted for {@code trustMillis} (forever when 0). */
    private static final class ClaimCache {
        private record Entry(Claimer claimer, long cachedAt) {
        }

        private final long trustMillis;
        private final LinkedHashMap<List<Object>, Entry> entries;

        ClaimCache(int capacity, long trustMillis) {
            this.trustMillis = trustMillis;
            this.entries = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<Object>, Entry> eldest) {
                    return size() > capacity;
                }
            };
        }

        Claimer get(List<Object> key, long now) {
            Entry entry = entries.get(key);
            if (entry == null) {
                return null;
            }
            if (trustMillis > 0 && now - entry.cachedAt() > trustMillis) {
                entries.remove(key);
                return null;
            }
            return entry.claimer();
        }

        void put(List<Object> key, Claimer claimer, long now) {
            entries.put(key, new Entry(claimer, now));
        }
    }
}
