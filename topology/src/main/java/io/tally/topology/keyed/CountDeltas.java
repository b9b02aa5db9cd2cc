package io.tally.topology.keyed;

import io.tally.state.cassandra.MapTable;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.NameAndBucket;
import it.unimi.dsi.fastutil.objects.Object2LongMap;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.tuple.Values;

/**
 * One partition's changes to the count tables in one batch, summed per table and key, so the batch sends each
 * distinct key once to the opaque state that owns it.
 */
final class CountDeltas {
    private final Map<String, Object2LongOpenHashMap<List<Object>>> byTable = new LinkedHashMap<>();

    void add(MapTable<Long> table, List<Object> key, long delta) {
        byTable.computeIfAbsent(table.name(), name -> new Object2LongOpenHashMap<>()).addTo(key, delta);
    }

    /** Adds each {@code [event, bucket]} key's count of {@code table} to all events' key of the same bucket. */
    void rollUpToAllEvents(MapTable<Long> table) {
        Object2LongOpenHashMap<List<Object>> counts = byTable.get(table.name());
        if (counts == null) {
            return;
        }
        Object2LongOpenHashMap<List<Object>> allEvents = new Object2LongOpenHashMap<>();
        for (Object2LongMap.Entry<List<Object>> entry : counts.object2LongEntrySet()) {
            allEvents.addTo(new NameAndBucket(TallyTables.ALL_EVENTS, (Long) entry.getKey().get(1)),
                    entry.getLongValue());
        }
        allEvents.object2LongEntrySet().forEach(entry -> counts.addTo(entry.getKey(), entry.getLongValue()));
    }

    /**
     * Emits {@code (table, key, delta, null)} per changed key; a key whose changes cancel out is not sent. A key
     * leaves as a {@link NameAndBucket} or an {@code ArrayList}, the lists Storm knows how to send to another worker.
     */
    void emit(TridentCollector collector) {
        byTable.forEach((table, counts) -> {
            for (Object2LongMap.Entry<List<Object>> entry : counts.object2LongEntrySet()) {
                if (entry.getLongValue() != 0) {
                    List<Object> key = entry.getKey();
                    collector.emit(new Values(table, key instanceof NameAndBucket ? key : new ArrayList<>(key),
                            entry.getLongValue(), null));
                }
            }
        });
    }
}
