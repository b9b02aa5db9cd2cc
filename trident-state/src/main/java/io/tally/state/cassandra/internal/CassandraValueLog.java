package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The {@code keyed_value_log} table: the values each run of a {@link WriteBehindBackingMap} changed in each batch and
 * has not yet written to its table, one row (or a few parts of a large batch) per run, batch and part, all of one
 * store in one Cassandra partition. A run deletes its own rows once their values are in the table; rows a run left
 * behind (a crash, a rebalance, a redeploy) are read by the next runs' restores and deleted by one of them once the
 * table holds each of their values or a newer one.
 */
public final class CassandraValueLog implements WriteBehindBackingMap.ValueLog {
    /** The table's name, as {@code deploy/schema.cql} creates it and the state metrics report it. */
    public static final String TABLE = "keyed_value_log";
    private static final int RESTORE_PAGE_ROWS = 32;

    private final CassandraSettings settings;
    private final BoundedRequests requests;
    private final StateMetrics metrics;
    private CqlSession session;
    private PreparedStatement insert;
    private PreparedStatement select;
    private PreparedStatement deleteThrough;
    private PreparedStatement deletePart;
    private ConsistencyLevel readConsistency;
    private ConsistencyLevel writeConsistency;

    public CassandraValueLog(CassandraSettings settings, StateMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + TABLE, metrics);
    }

    @Override
    public void append(String store, UUID run, long txid, List<ByteBuffer> parts) {
        connect();
        long started = System.nanoTime();
        List<CompletionStage<AsyncResultSet>> writes = new ArrayList<>(parts.size());
        for (int part = 0; part < parts.size(); part++) {
            var statement = insert.bind(store, run, txid, part, parts.size(), parts.get(part))
                    .setConsistencyLevel(writeConsistency);
            writes.add(requests.submit(() -> session.executeAsync(statement)));
        }
        requests.awaitAll(writes, "value log write");
        metrics.wrote(parts.size(), parts.size(), System.nanoTime() - started);
    }

    @Override
    public List<LoggedPart> readAll(String store) {
        connect();
        List<LoggedPart> parts = new ArrayList<>();
        try {
            for (Row row : session.execute(select.bind(store).setConsistencyLevel(readConsistency)
                    .setPageSize(RESTORE_PAGE_ROWS))) {
                parts.add(new LoggedPart(row.getUuid(0), row.getLong(1), row.getInt(2), row.getByteBuffer(3)));
            }
        } catch (RuntimeException e) {
            throw requests.failure("value log restore", e);
        }
        metrics.read(parts.size(), 1);
        return parts;
    }

    @Override
    public void deleteThrough(String store, UUID run, long txid) {
        connect();
        var statement = deleteThrough.bind(store, run, txid).setConsistencyLevel(writeConsistency);
        requests.awaitAll(List.of(requests.submit(() -> session.executeAsync(statement))), "value log delete");
    }

    @Override
    public void delete(String store, List<LoggedPart> parts) {
        connect();
        List<CompletionStage<AsyncResultSet>> deletes = new ArrayList<>(parts.size());
        for (LoggedPart part : parts) {
            var statement = deletePart.bind(store, part.run(), part.txid(), part.part())
                    .setConsistencyLevel(writeConsistency);
            deletes.add(requests.submit(() -> session.executeAsync(statement)));
        }
        requests.awaitAll(deletes, "value log delete");
    }

    private void connect() {
        if (session != null) {
            return;
        }
        try {
            CqlSession connected = SessionRegistry.connected(settings);
            String table = settings.keyspace() + "." + TABLE;
            insert = connected.prepare("INSERT INTO " + table + " (store, run, txid, part, parts, changed)"
                    + " VALUES (?, ?, ?, ?, ?, ?)");
            select = connected.prepare("SELECT run, txid, part, changed FROM " + table + " WHERE store = ?");
            deleteThrough = connected.prepare("DELETE FROM " + table + " WHERE store = ? AND run = ? AND txid <= ?");
            deletePart = connected.prepare("DELETE FROM " + table
                    + " WHERE store = ? AND run = ? AND txid = ? AND part = ?");
            readConsistency = DefaultConsistencyLevel.valueOf(settings.readConsistency());
            writeConsistency = DefaultConsistencyLevel.valueOf(settings.writeConsistency());
            session = connected;
        } catch (Exception e) {
            throw requests.failure("connection", e);
        }
    }
}
