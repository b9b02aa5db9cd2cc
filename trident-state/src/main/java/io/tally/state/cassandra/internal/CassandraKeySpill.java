package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.keyed.KeyRouting;
import io.tally.state.keyed.KeySpill;
import it.unimi.dsi.fastutil.longs.LongList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code keyed_state_spill_by_bucket} table: one row per key a keyed state moved out of memory, expiring with the
 * key's retention, in one of {@link #BUCKETS} partitions per store. A spill moves a quarter of a partition's budget
 * at once: stored a row per partition, each key was a request of its own; in buckets, the keys of one bucket go
 * together, as unlogged batches of one partition each. The bucket is SipHash of the key
 * under a secret of this instance's own, so a sender choosing keys cannot aim them at one bucket. Only the instance
 * that wrote a row reads it back: a state that starts restores its keys from the changelog and spills again what
 * passes its budget (see {@code ChangelogFirstSeenState}), so rows of an earlier instance are left to expire.
 */
public final class CassandraKeySpill implements KeySpill {
    /** The table's name, as {@code deploy/schema.cql} creates it and the state metrics report it. */
    public static final String TABLE = "keyed_state_spill_by_bucket";
    /** Partitions per store: few enough that a spill writes many keys to each, enough to keep each small. */
    static final int BUCKETS = 4096;
    /** Rows outlive their keys by this much, as the changelog's do. */
    private static final long EXPIRY_MARGIN_MILLIS = 2 * 3_600_000L;

    private record Statements(PreparedStatement insert, PreparedStatement selectAdded) {
    }

    /** The spill is read a key at a time, as the keyed state misses it, never by a list of keys. */
    private final BookkeepingTable<Statements> table;
    private final KeyRouting buckets = KeyRouting.random();

    public CassandraKeySpill(CassandraSettings settings, StateMetrics metrics) {
        this.table = new BookkeepingTable<>(settings, TABLE, metrics, cql -> new Statements(
                cql.prepare("INSERT INTO {table} (store, bucket, key, added) VALUES (?, ?, ?, ?) USING TTL ?"),
                cql.prepare("SELECT added FROM {table} WHERE store = ? AND bucket = ? AND key = ?")));
    }

    @Override
    public void write(String store, List<String> keys, LongList addedMillis, long retentionMillis) {
        PreparedStatement insert = table.statements().insert();
        long now = System.currentTimeMillis();
        List<List<Object>> partitions = new ArrayList<>(keys.size());
        List<BoundStatement> writes = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            int bucket = bucket(key);
            long added = addedMillis.getLong(i);
            long ttlMillis = added + retentionMillis + EXPIRY_MARGIN_MILLIS - now;
            partitions.add(List.of(store, bucket));
            writes.add(insert.bind(store, bucket, key, Instant.ofEpochMilli(added),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, ttlMillis / 1000 + 1))));
        }
        table.writeByPartition(partitions, writes);
    }

    @Override
    public long addedMillis(String store, String key) {
        long started = System.nanoTime();
        try {
            Row row = table.read(table.statements().selectAdded().bind(store, bucket(key), key), 1).one();
            table.metrics().read(1, 1, System.nanoTime() - started);
            return row == null || row.isNull(0) ? ABSENT : row.getInstant(0).toEpochMilli();
        } catch (RuntimeException e) {
            throw table.failure("spill read", e);
        }
    }

    private int bucket(String key) {
        return KeyRouting.partition(buckets.route(key), BUCKETS);
    }
}
