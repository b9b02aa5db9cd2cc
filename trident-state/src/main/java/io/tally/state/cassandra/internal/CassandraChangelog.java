package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.keyed.KeyChangelog;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code keyed_state_log} table: what each partition of a keyed state added in each batch, one row (or a few
 * parts of a large batch) per batch, attempt and partition, grouped by the hour it was written in and expiring a little
 * after its keys' retention. Written by {@link #append}, read back whole by {@link #read} when a partition restores.
 */
public final class CassandraChangelog implements KeyChangelog {
    /** The table's name, as {@code deploy/schema.cql} creates it and the state metrics report it. */
    public static final String TABLE = "keyed_state_log";
    /** Rows are cut below this many bytes of entries, well inside Cassandra's mutation size limit. */
    static final int MAX_PART_BYTES = 512 * 1024;
    private static final long HOUR_MILLIS = 3_600_000L;
    /** Rows outlive their keys by this much, so a restore near the end of a key's retention still finds it. */
    private static final long EXPIRY_MARGIN_MILLIS = 2 * HOUR_MILLIS;
    /** Rows of entries per page when restoring: each row may hold up to {@link #MAX_PART_BYTES}. */
    private static final int RESTORE_PAGE_ROWS = 32;

    /** Each row of this listing is a batch's attempt alone: small, so the driver's usual page size. */
    private static final int ATTEMPT_PAGE_ROWS = 5_000;

    private record Statements(PreparedStatement insert, PreparedStatement selectAttempts,
            PreparedStatement selectEntries) {
    }

    private final BookkeepingTable<Statements> table;

    public CassandraChangelog(CassandraSettings settings, StateMetrics metrics) {
        this.table = new BookkeepingTable<>(settings, TABLE, metrics, cql -> new Statements(
                cql.prepare("INSERT INTO {table} (store, hour, txid, attempt, partitions, partition, part, parts,"
                        + " added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?"),
                cql.prepare("SELECT txid, attempt FROM {table} WHERE store = ? AND hour = ?"),
                cql.prepare("SELECT txid, attempt, part, parts, added FROM {table} WHERE store = ? AND hour = ?")));
    }

    @Override
    public void append(String store, long batchMillis, long txid, int attempt, int partitions, int partition,
            List<String> keys, IntList routes, long retentionMillis) {
        PreparedStatement insert = table.statements().insert();
        List<ByteBuffer> parts = encode(batchMillis, keys, routes);
        Instant hour = Instant.ofEpochMilli(Math.floorDiv(batchMillis, HOUR_MILLIS) * HOUR_MILLIS);
        int ttlSeconds = (int) TimeUnit.MILLISECONDS.toSeconds(retentionMillis + EXPIRY_MARGIN_MILLIS);
        List<BoundStatement> writes = new ArrayList<>(parts.size());
        for (int part = 0; part < parts.size(); part++) {
            writes.add(insert.bind(store, hour, txid, attempt, partitions, partition, part, parts.size(),
                    parts.get(part), ttlSeconds));
        }
        table.write(writes, "changelog write");
    }

    @Override
    public long read(String store, long fromMillis, long toMillis, long firstTxid, EntryConsumer entries) {
        Statements statements = table.statements();
        List<Instant> hours = new ArrayList<>();
        for (long hour = Math.floorDiv(fromMillis - EXPIRY_MARGIN_MILLIS, HOUR_MILLIS) * HOUR_MILLIS;
                hour <= toMillis; hour += HOUR_MILLIS) {
            hours.add(Instant.ofEpochMilli(hour));
        }
        try {
            // A batch's rows may lie in two hours (its attempts ran on either side of one): find each batch's last
            // attempt over all hours first.
            Long2IntOpenHashMap lastAttempt = new Long2IntOpenHashMap();
            lastAttempt.defaultReturnValue(-1);
            long rows = 0;
            for (Instant hour : hours) {
                for (Row row : table.read(statements.selectAttempts().bind(store, hour), ATTEMPT_PAGE_ROWS)) {
                    long txid = row.getLong(0);
                    if (txid < firstTxid) {
                        lastAttempt.put(txid, Math.max(lastAttempt.get(txid), row.getInt(1)));
                    }
                }
            }
            for (Instant hour : hours) {
                for (Row row : table.read(statements.selectEntries().bind(store, hour), RESTORE_PAGE_ROWS)) {
                    rows++;
                    long txid = row.getLong(0);
                    if (txid < firstTxid && row.getInt(1) == lastAttempt.get(txid) && row.getInt(2) < row.getInt(3)) {
                        decode(row.getByteBuffer(4), entries);
                    }
                }
            }
            table.metrics().read((int) Math.min(Integer.MAX_VALUE, rows), hours.size() * 2);
            return rows;
        } catch (RuntimeException e) {
            throw table.failure("changelog restore", e);
        }
    }

    /** Each part: the batch's time, the number of entries, then each entry's route, length and UTF-8 text. */
    static List<ByteBuffer> encode(long batchMillis, List<String> keys, IntList routes) {
        List<ByteBuffer> parts = new ArrayList<>();
        ByteBuffer part = null;
        int countAt = 0;
        int count = 0;
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i).getBytes(StandardCharsets.UTF_8);
            int size = 8 + key.length;
            if (part == null || part.remaining() < size) {
                if (part != null) {
                    parts.add(finish(part, countAt, count));
                }
                part = ByteBuffer.allocate(Math.max(MAX_PART_BYTES, 12 + size));
                part.putLong(batchMillis);
                countAt = part.position();
                part.putInt(0);
                count = 0;
            }
            part.putInt(routes.getInt(i)).putInt(key.length).put(key);
            count++;
        }
        if (part == null) {
            part = ByteBuffer.allocate(12).putLong(batchMillis);
            countAt = part.position();
            part.putInt(0);
        }
        parts.add(finish(part, countAt, count));
        return parts;
    }

    private static ByteBuffer finish(ByteBuffer part, int countAt, int count) {
        part.putInt(countAt, count);
        part.flip();
        return part;
    }

    static void decode(ByteBuffer part, EntryConsumer entries) {
        ByteBuffer in = part.duplicate();
        long batchMillis = in.getLong();
        int count = in.getInt();
        for (int i = 0; i < count; i++) {
            int route = in.getInt();
            byte[] key = new byte[in.getInt()];
            in.get(key);
            entries.accept(new String(key, StandardCharsets.UTF_8), route, batchMillis);
        }
    }
}
