package io.tally.topology.keyed;

import java.util.List;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Values;

/**
 * A list value as fields of their own: a count table's key before it is grouped by, a member's row before it is
 * written. The list never leaves the worker that made it; its fields do.
 */
public final class SpreadList extends BaseFunction {
    private static final long serialVersionUID = 1L;

    private final int size;

    public SpreadList(int size) {
        this.size = size;
    }

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        List<?> values = (List<?>) tuple.getValue(0);
        if (values.size() != size) {
            throw new IllegalArgumentException("expected " + size + " values, got " + values);
        }
        collector.emit(new Values(values.toArray()));
    }
}
