package io.tally.spouts;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.storm.trident.operation.FlatMapFunction;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Values;

/**
 * Turns a {@link RecordChunk} back into {@link RawRecordFields} tuples, one per record, in the order read. A flat map
 * rather than a function, so that the record tuples do not carry the chunk on: they hold only the raw-record fields.
 */
public final class SplitRecordChunks implements FlatMapFunction {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterable<Values> execute(TridentTuple input) {
        RecordChunk chunk = (RecordChunk) input.getValue(0);
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < chunk.size();
            }

            @Override
            public Values next() {
                if (next >= chunk.size()) {
                    throw new NoSuchElementException();
                }
                int record = next++;
                return new Values(chunk.payload(record), chunk.source(), chunk.position(record),
                        chunk.receivedAtMillis(record));
            }
        };
    }
}
