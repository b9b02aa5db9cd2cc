package io.tally.topology.aggregate;

import io.tally.bolts.event.Event;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/** The hourly count key of an accepted event: its counting name and the UTC hour of its event time. */
public final class EventHour extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("event_name", "hour");

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        collector.emit(new Values(event.countName(), UtcHours.start(event.timestampMillis())));
    }
}
