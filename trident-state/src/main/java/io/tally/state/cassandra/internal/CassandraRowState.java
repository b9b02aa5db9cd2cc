package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.RowTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * Writes one row per tuple into a {@link RowTable}: grouped into unlogged batches per partition, asynchronous,
 * bounded. The writes are idempotent upserts, so a replayed batch rewrites the same rows and Trident's
 * transaction ids are not needed; a failed write fails the batch so it is replayed.
 */
public final class CassandraRowState implements State {
    private final CassandraSettings settings;
    private final RowTable table;
    private final BoundedRequests requests;
    private CqlSession session;
    private PreparedStatement insert;

    public CassandraRowState(CassandraSettings settings, RowTable table, StateMetrics metrics) {
        this.settings = settings;
        this.table = table;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + table.name(), metrics);
    }

    @Override
    public void beginCommit(Long txid) {
    }

    @Override
    public void commit(Long txid) {
    }

    public void write(List<TridentTuple> tuples) {
        if (tuples.isEmpty()) {
            return;
        }
        prepare();
        int partitionColumns = table.partitionKeyColumns().size();
        Map<List<Object>, List<BoundStatement>> byPartition = new LinkedHashMap<>();
        for (TridentTuple tuple : tuples) {
            List<Object> values = table.binder().values(tuple);
            byPartition.computeIfAbsent(values.subList(0, partitionColumns), k -> new ArrayList<>()).add(bind(values));
        }
        List<CompletionStage<AsyncResultSet>> writes = new ArrayList<>();
        for (List<BoundStatement> rows : byPartition.values()) {
            for (int from = 0; from < rows.size(); from += CassandraBackingMap.MAX_KEYS_PER_REQUEST) {
                List<BoundStatement> chunk = rows.subList(from, Math.min(rows.size(),
                        from + CassandraBackingMap.MAX_KEYS_PER_REQUEST));
                if (chunk.size() == 1) {
                    writes.add(requests.submit(() -> session.executeAsync(chunk.get(0))));
                } else {
                    BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED)
                            .setConsistencyLevel(DefaultConsistencyLevel.valueOf(settings.writeConsistency()));
                    chunk.forEach(batch::addStatement);
                    BatchStatement statement = batch.build();
                    writes.add(requests.submit(() -> session.executeAsync(statement)));
                }
            }
        }
        requests.awaitAll(writes, "write");
    }

    private BoundStatement bind(List<Object> values) {
        BoundStatementBuilder row = insert.boundStatementBuilder()
                .setConsistencyLevel(DefaultConsistencyLevel.valueOf(settings.writeConsistency()));
        for (int i = 0; i < values.size(); i++) {
            Object value = values.get(i);
            if (value != null) {
                bindValue(row, i, value);
            }
        }
        return row.build();
    }

    @SuppressWarnings("unchecked")
    private static <V> void bindValue(BoundStatementBuilder row, int index, V value) {
        row.set(index, value, (Class<V>) value.getClass());
    }

    private void prepare() {
        if (insert != null) {
            return;
        }
        try {
            session = SessionRegistry.connected(settings);
            insert = session.prepare(TableStatements.insert(settings.keyspace(), table.name(), table.columns()));
        } catch (Exception e) {
            throw requests.failure("connection", e);
        }
    }
}
