package io.tally.topology.segment;

import io.tally.bolts.event.Event;
import io.tally.bolts.segment.CompiledSegment;
import io.tally.bolts.segment.CompiledSegments;
import io.tally.bolts.segment.SegmentDefinition;
import java.util.List;
import java.util.Map;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/** For a counted event, one tuple per segment whose event predicate it matches: (segment, user, event time). */
public final class SegmentMatches extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("segment", "user_key", "event_time");

    private final List<SegmentDefinition> definitions;
    private transient CompiledSegments segments;

    public SegmentMatches(List<SegmentDefinition> definitions) {
        this.definitions = List.copyOf(definitions);
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        segments = CompiledSegments.compile(definitions);
    }

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        for (CompiledSegment segment : segments.matching(event)) {
            collector.emit(new Values(segment.name(), event.userKey(), event.timestampMillis()));
        }
    }
}
