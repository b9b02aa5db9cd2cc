package io.tally.topology.segment;

import io.tally.bolts.segment.CompiledSegment;
import io.tally.bolts.segment.CompiledSegments;
import io.tally.bolts.segment.SegmentDefinition;
import io.tally.state.segment.SegmentProgress;
import io.tally.topology.aggregate.UtcBucket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.state.map.MapState;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/**
 * Advances each (segment, user) of a batch by the batch's matching events, with one {@code multiUpdate} per batch: the
 * opaque map state reads every key once (grouped by partition), hands each updater the value from before the batch
 * (also when the batch is a replay), and writes the results once.
 *
 * <p>Emits, for each key that is a member after the batch, {@link #OUTPUT_FIELDS}: its membership, and the day it
 * had entered before this batch ({@code entered_before}, null for a new member). Both derive from the state's
 * before-batch value and the batch alone, so a replayed batch emits the same tuples: the membership rows written from
 * them are idempotent and the entry counts are opaque.
 *
 * <p>Input: {@link SegmentMatches#OUTPUT_FIELDS}, partitioned by segment and user.
 */
public final class SegmentProgressUpdater extends BaseStateUpdater<MapState<SegmentProgress>> {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS =
            new Fields("segment", "user_key", "events", "last_activity", "qualified_day", "entered_before");

    private final List<SegmentDefinition> definitions;
    private final int keepDays;
    private transient CompiledSegments segments;

    /** @param keepDays how many days of per-day counts a non-member keeps beyond the rule's window */
    public SegmentProgressUpdater(List<SegmentDefinition> definitions, int keepDays) {
        this.definitions = List.copyOf(definitions);
        this.keepDays = keepDays;
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        segments = CompiledSegments.compile(definitions);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"}) // MapState.multiUpdate takes raw ValueUpdaters
    public void updateState(MapState<SegmentProgress> state, List<TridentTuple> tuples, TridentCollector collector) {
        Map<List<Object>, Advance> byKey = new LinkedHashMap<>();
        for (TridentTuple tuple : tuples) {
            String segment = tuple.getString(0);
            byKey.computeIfAbsent(List.of(segment, tuple.getString(1)),
                    key -> new Advance(segments.get(segment), keepDays)).add(tuple.getLong(2));
        }
        List<List<Object>> keys = new ArrayList<>(byKey.keySet());
        List<Advance> updaters = new ArrayList<>(byKey.values());
        List<SegmentProgress> after = state.multiUpdate(keys, (List) updaters);
        for (int i = 0; i < keys.size(); i++) {
            SegmentProgress progress = after.get(i);
            if (progress.qualified()) {
                SegmentProgress before = updaters.get(i).before;
                collector.emit(new Values(keys.get(i).get(0), keys.get(i).get(1), progress.events(),
                        progress.lastActivityMillis(), progress.qualifiedDay(), before == null ? null : before.qualifiedDay()));
            }
        }
    }

    /** One key's matching events in this batch, applied to its stored progress. */
    private static final class Advance implements ValueUpdater<SegmentProgress> {
        private final CompiledSegment segment;
        private final int keepDays;
        private final Map<Long, Long> eventsByDay = new TreeMap<>();
        private long lastMillis = Long.MIN_VALUE;
        private SegmentProgress before;

        Advance(CompiledSegment segment, int keepDays) {
            this.segment = segment;
            this.keepDays = keepDays;
        }

        void add(long eventMillis) {
            eventsByDay.merge(UtcBucket.DAY.index(eventMillis), 1L, Long::sum);
            lastMillis = Math.max(lastMillis, eventMillis);
        }

        @Override
        public SegmentProgress update(SegmentProgress stored) {
            before = stored;
            return SegmentProgress.advance(stored, eventsByDay, lastMillis, segment.atLeast(), segment.withinDays(),
                    keepDays);
        }
    }
}
