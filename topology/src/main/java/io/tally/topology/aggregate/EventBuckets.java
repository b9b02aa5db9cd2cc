package io.tally.topology.aggregate;

import io.tally.bolts.event.Event;
import io.tally.state.schema.TallyTables;
import java.util.List;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;

/**
 * The count key of an accepted event in one bucket size: its own name and the bucket. {@link #counts} also counts it
 * under all events ({@value TallyTables#ALL_EVENTS}).
 */
public final class EventBuckets extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("event_name", "bucket");

    private final UtcBucket bucket;

    /** Only through {@link #counts}: without the roll-up, all events would not be counted. */
    private EventBuckets(UtcBucket bucket) {
        this.bucket = bucket;
    }

    /** Per batch, each event's count under its own name and under all events, per {@code bucket}. */
    public static BatchKeyCounts counts(UtcBucket bucket) {
        return new BatchKeyCounts(new EventBuckets(bucket), new AllEvents());
    }

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        collector.emit(new NameAndBucket(event.countName(), bucket.start(event.timestampMillis())));
    }

    /** An event name's key in a bucket rolls up to all events' key in the same bucket. */
    private static final class AllEvents implements BatchKeyCounts.RollUp {
        private static final long serialVersionUID = 1L;

        @Override
        public List<Object> of(List<Object> key) {
            return new NameAndBucket(TallyTables.ALL_EVENTS, (Long) key.get(1));
        }
    }
}
