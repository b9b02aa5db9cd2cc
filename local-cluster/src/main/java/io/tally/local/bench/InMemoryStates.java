package io.tally.local.bench;

import io.tally.state.cassandra.CassandraMapStateFactory;
import io.tally.state.cassandra.FirstClaimState;
import io.tally.state.cassandra.FirstClaimStateFactory;
import io.tally.state.schema.TallyTables;
import io.tally.topology.StateWrapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.testing.MemoryMapState;

/**
 * Keeps the full pipeline's claims and map states in the worker's memory instead of Cassandra, all but the hourly
 * counts the benchmark reads its progress and exactness from: what the topology itself sustains when its states
 * cost nothing. A benchmark measure only: nothing kept here survives the worker.
 *
 * <p>Row states (rejected records, segment members) stay in Cassandra: they are a few rows per hundred events.
 */
final class InMemoryStates implements StateWrapper {
    private static final long serialVersionUID = 1L;

    @Override
    public StateFactory wrap(String table, StateFactory factory) {
        if (table.equals(TallyTables.EVENT_COUNTS_BY_HOUR.name())) {
            return factory;
        }
        if (factory instanceof FirstClaimStateFactory) {
            return new ClaimsInMemory();
        }
        if (factory instanceof CassandraMapStateFactory) {
            return new MemoryMapState.Factory();
        }
        return factory;
    }

    private static final class ClaimsInMemory implements StateFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex,
                int numPartitions) {
            return new MemoryClaimState();
        }
    }

    /** The first-claim rule of {@link FirstClaimState} over a map of claims. */
    private static final class MemoryClaimState implements FirstClaimState {
        private record Claimer(String source, long position) {
        }

        private final Map<List<Object>, Claimer> claimers = new HashMap<>();

        @Override
        public List<Boolean> claim(List<Claim> claims) {
            List<Boolean> counts = new ArrayList<>(claims.size());
            for (Claim claim : claims) {
                Claimer claimer = new Claimer(claim.source(), claim.position());
                counts.add(claimers.computeIfAbsent(claim.key(), key -> claimer).equals(claimer));
            }
            return counts;
        }

        @Override
        public void beginCommit(Long txid) {
        }

        @Override
        public void commit(Long txid) {
        }
    }
}
