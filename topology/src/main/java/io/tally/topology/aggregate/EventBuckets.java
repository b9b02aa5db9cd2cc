package io.tally.topology.aggregate;

import io.tally.bolts.event.Event;
import io.tally.state.schema.TallyTables;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/** The count keys of an accepted event in one bucket size: its own name, and all events ({@value TallyTables#ALL_EVENTS}). */
public final class EventBuckets extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("event_name", "bucket");

    private final UtcBucket bucket;

    public EventBuckets(UtcBucket bucket) {
        this.bucket = bucket;
    }

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        long start = bucket.start(event.timestampMillis());
        collector.emit(new Values(event.countName(), start));
        collector.emit(new Values(TallyTables.ALL_EVENTS, start));
    }
}
