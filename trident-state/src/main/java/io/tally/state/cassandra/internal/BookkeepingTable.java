package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A table a state keeps for itself (its logs, its spill) rather than one analysts read: the worker's shared session
 * and the statements {@code prepare} makes, both on first use, so that an unreachable Cassandra fails a batch (which
 * Trident replays) rather than the state's creation; reads and writes at the settings' consistency levels, writes
 * bounded in flight, and failures reported as the state's.
 *
 * @param <S> the table's prepared statements
 */
final class BookkeepingTable<S> {
    private final CassandraSettings settings;
    private final String name;
    private final Function<Preparer, S> prepare;
    private final BoundedRequests requests;
    private final StateMetrics metrics;
    private CqlSession session;
    private S statements;
    private ConsistencyLevel readConsistency;
    private ConsistencyLevel writeConsistency;

    /** Prepares a statement's CQL, in which {@code {table}} stands for the keyspace-qualified table. */
    interface Preparer {
        PreparedStatement prepare(String cql);
    }

    BookkeepingTable(CassandraSettings settings, String table, StateMetrics metrics, Function<Preparer, S> prepare) {
        this.settings = settings;
        this.name = settings.keyspace() + "." + table;
        this.prepare = prepare;
        this.metrics = metrics;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                name, metrics);
    }

    /** The prepared statements, connecting first if this is their first use. */
    S statements() {
        if (statements == null) {
            try {
                CqlSession connected = SessionRegistry.connected(settings);
                S prepared = prepare.apply(cql -> connected.prepare(cql.replace("{table}", name)));
                readConsistency = DefaultConsistencyLevel.valueOf(settings.readConsistency());
                writeConsistency = DefaultConsistencyLevel.valueOf(settings.writeConsistency());
                session = connected;
                statements = prepared;
            } catch (Exception e) {
                throw requests.failure("connection", e);
            }
        }
        return statements;
    }

    /** Runs the writes, at most the settings' number in flight: each is durable when this returns, or it throws. */
    void write(List<BoundStatement> writes, String what) {
        statements();
        long started = System.nanoTime();
        List<CompletionStage<AsyncResultSet>> sent = new ArrayList<>(writes.size());
        for (BoundStatement write : writes) {
            BoundStatement statement = write.setConsistencyLevel(writeConsistency);
            sent.add(requests.submit(() -> session.executeAsync(statement)));
        }
        requests.awaitAll(sent, what);
        metrics.wrote(writes.size(), writes.size(), System.nanoTime() - started);
    }

    /**
     * Runs the writes as {@link #write} does, those of one partition together: {@code partitionKeys.get(i)} is the
     * partition {@code writes.get(i)} writes.
     */
    void writeByPartition(List<List<Object>> partitionKeys, List<BoundStatement> writes) {
        statements();
        new PartitionedRequests(requests, metrics).writeByPartition(session, writeConsistency, partitionKeys, writes);
    }

    /** Runs a read, whose rows are fetched {@code pageRows} at a time as they are iterated. */
    ResultSet read(BoundStatement read, int pageRows) {
        statements();
        return session.execute(read.setConsistencyLevel(readConsistency).setPageSize(pageRows));
    }

    /** The failure of a batch for what went wrong in {@code what}, counted and reported as the state's. */
    RuntimeException failure(String what, RuntimeException cause) {
        return requests.failure(what, cause);
    }

    StateMetrics metrics() {
        return metrics;
    }
}
