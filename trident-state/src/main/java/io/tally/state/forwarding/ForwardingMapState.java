package io.tally.state.forwarding;

import java.util.List;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.state.map.MapState;

/**
 * A map state that hands every call to another. Wrappers that act around a state's batch (the progress guard, the
 * tests' fault injection) extend it and override only the calls they act on, so a method added to the wrapped
 * state's interface is forwarded in one place.
 */
public abstract class ForwardingMapState<T> extends ForwardingState<MapState<T>> implements MapState<T> {
    protected ForwardingMapState(MapState<T> delegate) {
        this(delegate, delegate);
    }

    /** Hands a batch's begin and commit to {@code commits} instead, which acts around the delegate's own. */
    protected ForwardingMapState(MapState<T> delegate, State commits) {
        super(delegate, commits);
    }

    @Override
    @SuppressWarnings("rawtypes") // MapState.multiUpdate takes raw ValueUpdaters
    public List<T> multiUpdate(List<List<Object>> keys, List<ValueUpdater> updaters) {
        return delegate().multiUpdate(keys, updaters);
    }

    @Override
    public void multiPut(List<List<Object>> keys, List<T> vals) {
        delegate().multiPut(keys, vals);
    }

    @Override
    public List<T> multiGet(List<List<Object>> keys) {
        return delegate().multiGet(keys);
    }
}
