package io.tally.topology.segment;

import io.tally.bolts.segment.CompiledSegment;
import io.tally.state.segment.SegmentProgress;
import io.tally.topology.aggregate.UtcBucket;
import java.util.Map;
import java.util.TreeMap;
import org.apache.storm.trident.state.ValueUpdater;

/**
 * One (segment, user)'s matching events of a batch, applied to its stored progress by the opaque map state's
 * {@code multiUpdate}, which hands it the value from before the batch (also when the batch is a replay). It keeps that
 * value, so the caller can tell what the batch changed.
 */
public final class SegmentAdvance implements ValueUpdater<SegmentProgress> {
    private final CompiledSegment segment;
    private final int keepDays;
    private final Map<Long, Long> eventsByDay = new TreeMap<>();
    private long lastMillis = Long.MIN_VALUE;
    private SegmentProgress before;

    /** @param keepDays how many days of per-day counts a non-member keeps beyond the rule's window */
    public SegmentAdvance(CompiledSegment segment, int keepDays) {
        this.segment = segment;
        this.keepDays = keepDays;
    }

    public void add(long eventMillis) {
        eventsByDay.merge(UtcBucket.DAY.index(eventMillis), 1L, Long::sum);
        lastMillis = Math.max(lastMillis, eventMillis);
    }

    @Override
    public SegmentProgress update(SegmentProgress stored) {
        before = stored;
        return SegmentProgress.advance(stored, eventsByDay, lastMillis, segment.atLeast(), segment.withinDays(),
                keepDays);
    }

    /** The progress from before the batch: null for a user new to the segment. */
    public SegmentProgress before() {
        return before;
    }
}
