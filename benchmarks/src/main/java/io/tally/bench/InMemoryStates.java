package io.tally.bench;

import io.tally.state.cassandra.CassandraMapStateFactory;
import io.tally.state.schema.TallyTables;
import io.tally.topology.StateWrapper;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.testing.MemoryMapState;

/**
 * Keeps the full pipeline's map states in the worker's memory instead of Cassandra, all but the hourly counts the
 * benchmark reads its progress and exactness from: what the topology itself sustains when its states cost nothing.
 * A benchmark measure only: nothing kept here survives the worker.
 *
 * <p>The keyed stages' states are in memory anyway; their changelog, row states (rejected records, segment members)
 * stay in Cassandra.
 */
final class InMemoryStates implements StateWrapper {
    private static final long serialVersionUID = 1L;

    @Override
    public StateFactory wrap(String table, StateFactory factory) {
        if (table.equals(TallyTables.EVENT_COUNTS_BY_HOUR.name())) {
            return factory;
        }
        if (factory instanceof CassandraMapStateFactory) {
            return new MemoryMapState.Factory();
        }
        return factory;
    }
}
