package io.tally.topology.keyed;

import java.util.List;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Values;

/**
 * A list value as fields of their own: the segment stage's member row (as the per-user stage emits it in one field)
 * before the membership tables write it. The list never leaves the worker that made it; its fields do. (Count-table
 * keys no longer pass here: the counts stage takes them as the lists the per-user stage made, see
 * {@link SumChanges}.)
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
