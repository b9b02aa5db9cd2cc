package io.tally.topology.keyed;

import io.tally.state.progress.ProgressGuard;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.state.map.MapState;

/**
 * One partition of the counts stage: the opaque map state of every count table the per-user stage changes, so one
 * stage, partitioned by (table, key), sums the changes to all of them. Each table keeps its own opaque state, and so
 * its own exactly-once bookkeeping per row; committing them together only shares the batch's hand-offs.
 *
 * <p>The stage is guarded against lost ZooKeeper progress as one ({@link ProgressGuard#stage}): checked before its
 * tables begin a batch and recorded once after they all committed it, one ledger row per batch for the stage rather
 * than one per table.
 */
public final class CountTablesState implements State {
    private final Map<String, MapState<Long>> byTable;
    private final ProgressGuard.Check progress;

    CountTablesState(Map<String, MapState<Long>> byTable, ProgressGuard.Check progress) {
        this.byTable = byTable;
        this.progress = progress;
    }

    /** The opaque state of {@code table}; the topology routes only changes to the tables it was built with. */
    MapState<Long> table(String table) {
        MapState<Long> state = byTable.get(table);
        if (state == null) {
            throw new IllegalArgumentException("the counts stage has no state for table " + table
                    + "; it has " + byTable.keySet());
        }
        return state;
    }

    @Override
    public void beginCommit(Long txid) {
        progress.beginCommit(txid);
        byTable.values().forEach(state -> state.beginCommit(txid));
    }

    @Override
    public void commit(Long txid) {
        byTable.values().forEach(state -> state.commit(txid));
        progress.committed(txid);
    }

    /** Makes each partition's state from one opaque map state factory per table name, guarded as one stage. */
    public static final class Factory implements StateFactory {
        private static final long serialVersionUID = 1L;

        private final LinkedHashMap<String, StateFactory> byTable;
        private final ProgressGuard.Stage guard;

        public Factory(Map<String, StateFactory> byTable, ProgressGuard.Stage guard) {
            if (byTable.isEmpty()) {
                throw new IllegalArgumentException("the counts stage needs at least one table");
            }
            this.byTable = new LinkedHashMap<>(byTable);
            this.guard = Objects.requireNonNull(guard);
        }

        @Override
        @SuppressWarnings("unchecked")
        public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex,
                int numPartitions) {
            Map<String, MapState<Long>> states = new LinkedHashMap<>();
            byTable.forEach((table, factory) -> states.put(table,
                    (MapState<Long>) factory.makeState(conf, metrics, partitionIndex, numPartitions)));
            return new CountTablesState(states, guard.check(conf, partitionIndex));
        }
    }
}
