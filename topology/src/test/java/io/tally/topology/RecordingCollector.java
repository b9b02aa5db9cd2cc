package io.tally.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.storm.trident.operation.TridentCollector;

/** Keeps what a Trident operation emits, in order; an error it reports fails the test. */
public final class RecordingCollector implements TridentCollector {
    private final List<List<Object>> emitted = new ArrayList<>();

    @Override
    public void emit(List<Object> values) {
        emitted.add(values);
    }

    @Override
    public void flush() {
    }

    @Override
    public void reportError(Throwable t) {
        throw new AssertionError("the operation reported an error", t);
    }

    public List<List<Object>> emitted() {
        return emitted;
    }

    public void clear() {
        emitted.clear();
    }
}
