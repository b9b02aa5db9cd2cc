package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code keyed_value_log} table: the values each run of a {@link WriteBehindBackingMap} changed in each batch and
 * has not yet written to its table, one row (or a few parts of a large batch) per run, batch and part, all of one
 * store in one Cassandra partition. A run id names the rows a partition logged between two flushes, and is deleted
 * whole once the flush that replaced it has written their values to the table; rows a run left
 * behind (a crash, a rebalance, a redeploy) are read by the next runs' restores and deleted by one of them once the
 * table holds each of their values or a newer one.
 */
public final class CassandraValueLog implements WriteBehindBackingMap.ValueLog {
    /** The table's name, as {@code deploy/schema.cql} creates it and the state metrics report it. */
    public static final String TABLE = "keyed_value_log";
    private static final int RESTORE_PAGE_ROWS = 32;

    private record Statements(PreparedStatement insert, PreparedStatement select, PreparedStatement deleteRun,
            PreparedStatement deletePart) {
    }

    private final BookkeepingTable<Statements> table;

    public CassandraValueLog(CassandraSettings settings, StateMetrics metrics) {
        this.table = new BookkeepingTable<>(settings, TABLE, metrics, cql -> new Statements(
                cql.prepare("INSERT INTO {table} (store, run, txid, part, parts, changed) VALUES (?, ?, ?, ?, ?, ?)"),
                cql.prepare("SELECT run, txid, part, changed FROM {table} WHERE store = ?"),
                cql.prepare("DELETE FROM {table} WHERE store = ? AND run = ?"),
                cql.prepare("DELETE FROM {table} WHERE store = ? AND run = ? AND txid = ? AND part = ?")));
    }

    @Override
    public void append(String store, UUID run, long txid, List<ByteBuffer> parts) {
        PreparedStatement insert = table.statements().insert();
        List<BoundStatement> writes = new ArrayList<>(parts.size());
        for (int part = 0; part < parts.size(); part++) {
            writes.add(insert.bind(store, run, txid, part, parts.size(), parts.get(part)));
        }
        table.write(writes, "value log write");
    }

    @Override
    public List<LoggedPart> readAll(String store) {
        List<LoggedPart> parts = new ArrayList<>();
        try {
            for (Row row : table.read(table.statements().select().bind(store), RESTORE_PAGE_ROWS)) {
                parts.add(new LoggedPart(row.getUuid(0), row.getLong(1), row.getInt(2), row.getByteBuffer(3)));
            }
        } catch (RuntimeException e) {
            throw table.failure("value log restore", e);
        }
        table.metrics().read(parts.size(), 1);
        return parts;
    }

    @Override
    public void deleteRun(String store, UUID run) {
        table.write(List.of(table.statements().deleteRun().bind(store, run)), "value log delete");
    }

    @Override
    public void delete(String store, List<LoggedPart> parts) {
        PreparedStatement deletePart = table.statements().deletePart();
        List<BoundStatement> deletes = new ArrayList<>(parts.size());
        for (LoggedPart part : parts) {
            deletes.add(deletePart.bind(store, part.run(), part.txid(), part.part()));
        }
        table.write(deletes, "value log delete");
    }
}
