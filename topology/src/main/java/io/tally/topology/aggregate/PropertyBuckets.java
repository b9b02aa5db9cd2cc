package io.tally.topology.aggregate;

import io.tally.bolts.event.Event;
import java.util.List;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/**
 * The breakdown keys of an accepted event: one per allowlisted property it carries with a scalar value (text,
 * number or boolean, as text). Nested objects, arrays and nulls have no single value to count by and are skipped.
 */
public final class PropertyBuckets extends BaseFunction {
    private static final long serialVersionUID = 1L;

    /** Longer values are cut, so one odd value cannot make a huge clustering key. */
    public static final int MAX_VALUE_CHARS = 256;

    public static final Fields OUTPUT_FIELDS = new Fields("event_name", "property", "value", "bucket");

    private final UtcBucket bucket;
    private final List<String> properties;

    public PropertyBuckets(UtcBucket bucket, List<String> properties) {
        this.bucket = bucket;
        this.properties = List.copyOf(properties);
    }

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        long start = bucket.start(event.timestampMillis());
        for (String property : properties) {
            String value = scalarText(event.properties().get(property));
            if (value != null) {
                collector.emit(new Values(event.countName(), property, value, start));
            }
        }
    }

    /** The value as breakdown text, or null when it has none. */
    public static String scalarText(Object value) {
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            return null;
        }
        String text = value.toString();
        return text.length() > MAX_VALUE_CHARS ? text.substring(0, MAX_VALUE_CHARS) : text;
    }
}
