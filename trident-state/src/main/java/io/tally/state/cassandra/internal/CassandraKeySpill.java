package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.keyed.KeySpill;
import it.unimi.dsi.fastutil.longs.LongList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code keyed_state_spill} table: one row per key a keyed state moved out of memory, its own partition (so a
 * sender choosing keys cannot grow one partition), expiring with the key's retention.
 */
public final class CassandraKeySpill implements KeySpill {
    /** The table's name, as {@code deploy/schema.cql} creates it and the state metrics report it. */
    public static final String TABLE = "keyed_state_spill";
    /** Rows outlive their keys by this much, as the changelog's do. */
    private static final long EXPIRY_MARGIN_MILLIS = 2 * 3_600_000L;

    private record Statements(PreparedStatement insert, PreparedStatement selectAdded) {
    }

    /** The spill is read a key at a time, as the keyed state misses it, never by a list of keys. */
    private final BookkeepingTable<Statements> table;

    public CassandraKeySpill(CassandraSettings settings, StateMetrics metrics) {
        this.table = new BookkeepingTable<>(settings, TABLE, metrics, cql -> new Statements(
                cql.prepare("INSERT INTO {table} (store, key, added) VALUES (?, ?, ?) USING TTL ?"),
                cql.prepare("SELECT added FROM {table} WHERE store = ? AND key = ?")));
    }

    @Override
    public void write(String store, List<String> keys, LongList addedMillis, long retentionMillis) {
        PreparedStatement insert = table.statements().insert();
        long now = System.currentTimeMillis();
        List<BoundStatement> writes = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            long added = addedMillis.getLong(i);
            long ttlMillis = added + retentionMillis + EXPIRY_MARGIN_MILLIS - now;
            writes.add(insert.bind(store, keys.get(i), Instant.ofEpochMilli(added),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, ttlMillis / 1000 + 1))));
        }
        table.write(writes, "spill write");
    }

    @Override
    public long addedMillis(String store, String key) {
        long started = System.nanoTime();
        try {
            Row row = table.read(table.statements().selectAdded().bind(store, key), 1).one();
            table.metrics().read(1, 1, System.nanoTime() - started);
            return row == null || row.isNull(0) ? ABSENT : row.getInstant(0).toEpochMilli();
        } catch (RuntimeException e) {
            throw table.failure("spill read", e);
        }
    }
}
