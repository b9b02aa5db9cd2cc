package io.tally.topology.aggregate;

import io.tally.bolts.event.Event;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/**
 * The de-duplication key of an accepted event: its {@code messageId}. An event without one cannot be recognised
 * when it comes again, so it gets its source coordinates instead and always counts.
 */
public final class MessageIds extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("message_id");

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        String messageId = event.messageId();
        collector.emit(new Values(messageId != null && !messageId.isEmpty()
                ? messageId
                : "\u0000" + tuple.getString(1) + "@" + tuple.getLong(2)));
    }
}
