package io.tally.state.forwarding;

import io.tally.state.keyed.FirstSeenState;
import java.util.Objects;

/**
 * A keyed first-seen state that hands every call to another; see {@link ForwardingMapState} for why wrappers extend
 * it rather than forward each call themselves.
 */
public abstract class ForwardingFirstSeenState implements FirstSeenState {
    private final FirstSeenState delegate;

    protected ForwardingFirstSeenState(FirstSeenState delegate) {
        this.delegate = Objects.requireNonNull(delegate);
    }

    protected final FirstSeenState delegate() {
        return delegate;
    }

    @Override
    public void attempt(int attemptId) {
        delegate.attempt(attemptId);
    }

    @Override
    public boolean firstSeen(String key, int route) {
        return delegate.firstSeen(key, route);
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public long heldBytes() {
        return delegate.heldBytes();
    }

    @Override
    public void beginCommit(Long txid) {
        delegate.beginCommit(txid);
    }

    @Override
    public void commit(Long txid) {
        delegate.commit(txid);
    }
}
