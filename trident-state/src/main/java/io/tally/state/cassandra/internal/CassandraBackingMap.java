package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.MapTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.storm.trident.state.OpaqueValue;
import org.apache.storm.trident.state.map.IBackingMap;

/**
 * Reads and writes one batch's keys of a {@link MapTable}, asynchronously and with a bounded number of
 * requests in flight.
 *
 * <p>Keys are grouped by partition: a partition's keys are read with one {@code IN} query on the
 * clustering column and written with unlogged batches that touch only that partition (Cassandra
 * applies such a batch as one mutation, so it costs about one write). Any failed request fails the
 * whole call with a {@link org.apache.storm.topology.FailedException}, which makes Trident fail and replay the batch; the opaque
 * values stored beside each row make that replay safe.
 */
public final class CassandraBackingMap<T> implements IBackingMap<OpaqueValue<T>> {
    /** Keeps IN lists and batches small enough for the coordinator to handle without warnings. */
    static final int MAX_KEYS_PER_REQUEST = 100;

    private final CassandraSettings settings;
    private final MapTable<T> table;
    private final BoundedRequests requests;
    private final StateMetrics metrics;
    private final int valueColumnCount;
    private Prepared prepared;

    public CassandraBackingMap(CassandraSettings settings, MapTable<T> table, StateMetrics metrics) {
        this.settings = settings;
        this.table = table;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + table.name(), metrics);
        this.metrics = metrics;
        this.valueColumnCount = table.codec().columns().size();
    }

    private record Prepared(CqlSession session, PreparedStatement selectOne, PreparedStatement selectMany,
            PreparedStatement insert, ConsistencyLevel read, ConsistencyLevel write) {
    }

    @Override
    public List<OpaqueValue<T>> multiGet(List<List<Object>> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        Prepared p = prepared();
        Map<List<Object>, List<List<Object>>> byPartition = groupByPartition(keys);
        List<CompletionStage<List<Row>>> reads = new ArrayList<>();
        int partitionColumns = table.partitionKeyColumns().size();
        for (Map.Entry<List<Object>, List<List<Object>>> partition : byPartition.entrySet()) {
            List<List<Object>> rowKeys = partition.getValue();
            if (p.selectMany() != null && rowKeys.size() > 1) {
                for (List<List<Object>> chunk : chunks(rowKeys)) {
                    List<Object> clusteringValues = new ArrayList<>(chunk.size());
                    chunk.forEach(k -> clusteringValues.add(k.get(partitionColumns)));
                    List<Object> values = new ArrayList<>(partition.getKey());
                    values.add(clusteringValues);
                    reads.add(readAll(p.selectMany().bind(values.toArray()).setConsistencyLevel(p.read())));
                }
            } else {
                for (List<Object> rowKey : rowKeys) {
                    reads.add(readAll(p.selectOne().bind(rowKey.toArray()).setConsistencyLevel(p.read())));
                }
            }
        }
        Map<List<Object>, OpaqueValue<T>> found = new HashMap<>();
        List<String> keyColumns = table.keyColumns();
        for (List<Row> rows : requests.awaitAll(reads, "read")) {
            for (Row row : rows) {
                List<Object> rowKey = new ArrayList<>(keyColumns.size());
                for (String column : keyColumns) {
                    rowKey.add(row.getObject(column));
                }
                found.put(rowKey, decode(row));
            }
        }
        metrics.read(keys.size(), reads.size());
        List<OpaqueValue<T>> result = new ArrayList<>(keys.size());
        for (List<Object> key : keys) {
            result.add(found.get(table.keyMapper().toColumns(key)));
        }
        return result;
    }

    @Override
    public void multiPut(List<List<Object>> keys, List<OpaqueValue<T>> values) {
        if (keys.isEmpty()) {
            return;
        }
        Prepared p = prepared();
        Map<List<Object>, List<Integer>> byPartition = new LinkedHashMap<>();
        List<List<Object>> rowKeys = new ArrayList<>(keys.size());
        int partitionColumns = table.partitionKeyColumns().size();
        for (int i = 0; i < keys.size(); i++) {
            List<Object> rowKey = table.keyMapper().toColumns(keys.get(i));
            rowKeys.add(rowKey);
            byPartition.computeIfAbsent(rowKey.subList(0, partitionColumns), k -> new ArrayList<>()).add(i);
        }
        List<CompletionStage<AsyncResultSet>> writes = new ArrayList<>();
        for (List<Integer> indexes : byPartition.values()) {
            for (List<Integer> chunk : chunks(indexes)) {
                if (chunk.size() == 1) {
                    int i = chunk.get(0);
                    BoundStatement insert = bindInsert(p, rowKeys.get(i), values.get(i));
                    writes.add(requests.submit(() -> p.session().executeAsync(insert)));
                } else {
                    BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED)
                            .setConsistencyLevel(p.write());
                    for (int i : chunk) {
                        batch.addStatement(bindInsert(p, rowKeys.get(i), values.get(i)));
                    }
                    BatchStatement statement = batch.build();
                    writes.add(requests.submit(() -> p.session().executeAsync(statement)));
                }
            }
        }
        requests.awaitAll(writes, "write");
        metrics.wrote(keys.size(), writes.size());
    }

    private BoundStatement bindInsert(Prepared p, List<Object> rowKey, OpaqueValue<T> value) {
        BoundStatementBuilder insert = p.insert().boundStatementBuilder().setConsistencyLevel(p.write());
        int column = 0;
        for (Object keyValue : rowKey) {
            insert.set(column++, keyValue, cqlClass(keyValue));
        }
        column = bindValue(insert, column, value.getCurr());
        insert.setLong(column++, value.getCurrTxid());
        // A null previous value stays unset (not null) so no tombstone is written.
        bindValue(insert, column, value.getPrev());
        return insert.build();
    }

    private int bindValue(BoundStatementBuilder insert, int column, T value) {
        if (value == null) {
            return column + valueColumnCount;
        }
        for (Object encoded : table.codec().encode(value)) {
            insert.set(column++, encoded, cqlClass(encoded));
        }
        return column;
    }

    @SuppressWarnings("unchecked")
    private static <V> Class<V> cqlClass(V value) {
        return (Class<V>) value.getClass();
    }

    private OpaqueValue<T> decode(Row row) {
        T current = table.codec().decode(row, "");
        if (current == null) {
            return null;
        }
        Long txid = row.isNull(MapTable.TXID_COLUMN) ? null : row.getLong(MapTable.TXID_COLUMN);
        return new OpaqueValue<>(txid, current, table.codec().decode(row, MapTable.PREVIOUS_PREFIX));
    }

    private Map<List<Object>, List<List<Object>>> groupByPartition(List<List<Object>> keys) {
        int partitionColumns = table.partitionKeyColumns().size();
        Map<List<Object>, List<List<Object>>> byPartition = new LinkedHashMap<>();
        for (List<Object> key : keys) {
            List<Object> rowKey = table.keyMapper().toColumns(key);
            byPartition.computeIfAbsent(rowKey.subList(0, partitionColumns), k -> new ArrayList<>()).add(rowKey);
        }
        return byPartition;
    }

    private static <E> List<List<E>> chunks(List<E> all) {
        List<List<E>> chunks = new ArrayList<>((all.size() + MAX_KEYS_PER_REQUEST - 1) / MAX_KEYS_PER_REQUEST);
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_REQUEST) {
            chunks.add(all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_REQUEST)));
        }
        return chunks;
    }

    /** Starts a read and gathers every page of its result. */
    private CompletionStage<List<Row>> readAll(BoundStatement statement) {
        return requests.submit(() -> prepared.session().executeAsync(statement))
                .thenCompose(first -> collectPages(first, new ArrayList<>()));
    }

    private static CompletionStage<List<Row>> collectPages(AsyncResultSet page, List<Row> rows) {
        page.currentPage().forEach(rows::add);
        if (!page.hasMorePages()) {
            return CompletableFuture.completedFuture(rows);
        }
        return page.fetchNextPage().thenCompose(next -> collectPages(next, rows));
    }

    private Prepared prepared() {
        if (prepared != null) {
            return prepared;
        }
        try {
            CqlSession session = SessionRegistry.connected(settings);
            String keyspace = settings.keyspace();
            PreparedStatement selectOne = session.prepare(TableStatements.selectOne(keyspace, table));
            PreparedStatement selectMany = table.clusteringColumns().size() == 1
                    ? session.prepare(TableStatements.selectManyInPartition(keyspace, table))
                    : null;
            PreparedStatement insert = session.prepare(TableStatements.insert(keyspace, table));
            prepared = new Prepared(session, selectOne, selectMany, insert,
                    DefaultConsistencyLevel.valueOf(settings.readConsistency()),
                    DefaultConsistencyLevel.valueOf(settings.writeConsistency()));
            return prepared;
        } catch (Exception e) {
            throw requests.failure("connection", e);
        }
    }
}
