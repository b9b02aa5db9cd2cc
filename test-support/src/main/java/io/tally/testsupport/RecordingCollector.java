package io.tally.testsupport;

import java.util.ArrayList;
import java.util.List;
import org.apache.storm.trident.operation.TridentCollector;

/**
 * Keeps what a Trident operation or spout emits, in order; an error it reports fails the test. Tests extend it to read
 * their tuples' fields by name.
 */
public class RecordingCollector implements TridentCollector {
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
