package io.tally.state.cassandra.internal;

import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.RowTable;
import java.util.ArrayList;
import java.util.List;
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
    private final PartitionedRequests partitioned;
    private PreparedTable prepared;

    public CassandraRowState(CassandraSettings settings, RowTable table, StateMetrics metrics) {
        this.settings = settings;
        this.table = table;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + table.name(), metrics);
        this.partitioned = new PartitionedRequests(requests, metrics);
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
        if (prepared == null) {
            prepared = PreparedTable.connect(settings, null,
                    TableStatements.insert(settings.keyspace(), table.name(), table.columns(), table.ttlSeconds()),
                    requests);
        }
        List<List<Object>> rows = new ArrayList<>(tuples.size());
        tuples.forEach(tuple -> rows.add(table.binder().values(tuple)));
        partitioned.writeRows(prepared, table.partitionKeyColumns().size(), rows);
    }
}
