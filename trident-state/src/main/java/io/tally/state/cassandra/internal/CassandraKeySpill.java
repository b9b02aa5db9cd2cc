package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.keyed.internal.KeySpill;
import it.unimi.dsi.fastutil.longs.LongList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The {@code keyed_state_spill} table: one row per key a keyed state moved out of memory, its own partition (so a
 * sender choosing keys cannot grow one partition), expiring with the key's retention.
 */
public final class CassandraKeySpill implements KeySpill {
    /** The table's name, as {@code deploy/schema.cql} creates it and the state metrics report it. */
    public static final String TABLE = "keyed_state_spill";
    /** Rows outlive their keys by this much, as the changelog's do. */
    private static final long EXPIRY_MARGIN_MILLIS = 2 * 3_600_000L;

    private final CassandraSettings settings;
    private final BoundedRequests requests;
    private final StateMetrics metrics;
    private PreparedTable prepared;
    /** One key's row: the spill is read a key at a time, as the keyed state misses it, never by a list of keys. */
    private PreparedStatement selectAdded;

    public CassandraKeySpill(CassandraSettings settings, StateMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + TABLE, metrics);
    }

    @Override
    public void write(String store, List<String> keys, LongList addedMillis, long retentionMillis) {
        PreparedTable p = prepared();
        long now = System.currentTimeMillis();
        long started = System.nanoTime();
        List<CompletionStage<AsyncResultSet>> writes = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            long added = addedMillis.getLong(i);
            long ttlMillis = added + retentionMillis + EXPIRY_MARGIN_MILLIS - now;
            var statement = p.insert().bind(store, keys.get(i), Instant.ofEpochMilli(added),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, ttlMillis / 1000 + 1)))
                    .setConsistencyLevel(p.write());
            writes.add(requests.submit(() -> p.session().executeAsync(statement)));
        }
        requests.awaitAll(writes, "spill write");
        metrics.wrote(keys.size(), keys.size(), System.nanoTime() - started);
    }

    @Override
    public long addedMillis(String store, String key) {
        PreparedTable p = prepared();
        long started = System.nanoTime();
        try {
            Row row = p.session().execute(selectAdded.bind(store, key).setConsistencyLevel(p.read())).one();
            metrics.read(1, 1, System.nanoTime() - started);
            return row == null || row.isNull(0) ? ABSENT : row.getInstant(0).toEpochMilli();
        } catch (RuntimeException e) {
            throw requests.failure("spill read", e);
        }
    }

    private PreparedTable prepared() {
        if (prepared == null) {
            String name = settings.keyspace() + "." + TABLE;
            PreparedTable table = PreparedTable.connect(settings, null,
                    "INSERT INTO " + name + " (store, key, added) VALUES (?, ?, ?) USING TTL ?", requests);
            try {
                selectAdded = table.session().prepare("SELECT added FROM " + name + " WHERE store = ? AND key = ?");
            } catch (RuntimeException e) {
                throw requests.failure("connection", e);
            }
            prepared = table;
        }
        return prepared;
    }
}
