package io.tally.topology.aggregate;

import io.tally.bolts.event.Event;
import io.tally.state.schema.TallyTables;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/** The distinct-user keys of an accepted event: (its name, day, user) and (all events, day, user). */
public final class UserDays extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("event_name", "day", "user_key");

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        long day = UtcBucket.DAY.start(event.timestampMillis());
        collector.emit(new Values(event.countName(), day, event.userKey()));
        collector.emit(new Values(TallyTables.ALL_EVENTS, day, event.userKey()));
    }
}
