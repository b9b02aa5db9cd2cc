package io.tally.topology.segment;

import io.tally.topology.aggregate.UtcBucket;
import java.util.Objects;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/**
 * Changes to a segment's daily entries from one member's update: +1 on the day a new member entered; when a late
 * event moved an existing member's entry earlier, −1 on the old day and +1 on the new one; nothing otherwise.
 * Input: {@code (qualified_day, entered_before)} as UTC epoch days; output {@code (day, delta)}, the day as the epoch
 * milliseconds of its start, as the daily tables' keys expect.
 */
public final class SegmentEntries extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("day", "delta");

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Long entered = tuple.getLong(0);
        Long before = tuple.getLong(1);
        if (Objects.equals(entered, before)) {
            return;
        }
        if (before != null) {
            collector.emit(new Values(UtcBucket.DAY.startOfIndex(before), -1L));
        }
        collector.emit(new Values(UtcBucket.DAY.startOfIndex(entered), 1L));
    }
}
