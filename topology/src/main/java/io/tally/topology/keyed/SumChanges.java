package io.tally.topology.keyed;

import it.unimi.dsi.fastutil.objects.Object2LongMap;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * The counts stage: adds the per-user stage's changes ({@code table, key, delta}, routed by table and key) to each
 * table's opaque state, with one {@code multiUpdate} per table and batch.
 *
 * <p>The keys reach the states as the lists the per-user stage made. Trident's own {@code groupBy} and
 * {@code persistentAggregate} would hand them over as views of the tuples, each of whose {@code hashCode} and
 * {@code equals} walks Trident's layers of tuple views, once per cache lookup; and they would need a stage per table.
 */
public final class SumChanges extends BaseStateUpdater<CountTablesState> {
    private static final long serialVersionUID = 1L;

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"}) // MapState.multiUpdate takes raw ValueUpdaters
    public void updateState(CountTablesState state, List<TridentTuple> tuples, TridentCollector collector) {
        Map<String, Object2LongOpenHashMap<List<Object>>> byTable = new LinkedHashMap<>();
        for (TridentTuple tuple : tuples) {
            byTable.computeIfAbsent(tuple.getString(0), table -> new Object2LongOpenHashMap<>())
                    .addTo((List<Object>) tuple.getValue(1), tuple.getLong(2));
        }
        byTable.forEach((table, deltas) -> {
            List<List<Object>> keys = new ArrayList<>(deltas.size());
            List<ValueUpdater> updaters = new ArrayList<>(deltas.size());
            for (Object2LongMap.Entry<List<Object>> entry : deltas.object2LongEntrySet()) {
                keys.add(entry.getKey());
                updaters.add(new Add(entry.getLongValue()));
            }
            state.table(table).multiUpdate(keys, (List) updaters);
        });
    }

    /** Adds a batch's change to a stored count (absent: none yet). */
    private record Add(long delta) implements ValueUpdater<Long> {
        @Override
        public Long update(Long stored) {
            return stored == null ? delta : stored + delta;
        }
    }
}
