package io.tally.spouts;

import java.util.ArrayList;
import java.util.List;
import org.apache.storm.trident.operation.TridentCollector;

/** Keeps what a spout emitted; an error reported to it fails the test. */
public class CollectingCollector implements TridentCollector {
    public final List<List<Object>> tuples = new ArrayList<>();

    @Override
    public void emit(List<Object> values) {
        tuples.add(values);
    }

    @Override
    public void flush() {
    }

    @Override
    public void reportError(Throwable t) {
        throw new AssertionError(t);
    }
}
