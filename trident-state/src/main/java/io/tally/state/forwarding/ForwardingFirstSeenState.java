package io.tally.state.forwarding;

import io.tally.state.keyed.FirstSeenState;
import org.apache.storm.trident.state.State;

/**
 * A keyed first-seen state that hands every call to another; see {@link ForwardingMapState} for why wrappers extend
 * it rather than forward each call themselves.
 */
public abstract class ForwardingFirstSeenState extends ForwardingState<FirstSeenState> implements FirstSeenState {
    protected ForwardingFirstSeenState(FirstSeenState delegate) {
        this(delegate, delegate);
    }

    /** Hands a batch's begin and commit to {@code commits} instead, which acts around the delegate's own. */
    protected ForwardingFirstSeenState(FirstSeenState delegate, State commits) {
        super(delegate, commits);
    }

    @Override
    public void attempt(int attemptId) {
        delegate().attempt(attemptId);
    }

    @Override
    public boolean firstSeen(String key, int route) {
        return delegate().firstSeen(key, route);
    }

    @Override
    public int size() {
        return delegate().size();
    }

    @Override
    public long heldBytes() {
        return delegate().heldBytes();
    }
}
