package io.tally.state.keyed;

/** A keyed state that passes every call on: wrappers (progress checks, tests' fault injectors) override the calls they add to. */
public abstract class ForwardingFirstSeenState implements FirstSeenState {
    protected final FirstSeenState delegate;

    protected ForwardingFirstSeenState(FirstSeenState delegate) {
        this.delegate = delegate;
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
    public void beginCommit(Long txid) {
        delegate.beginCommit(txid);
    }

    @Override
    public void commit(Long txid) {
        delegate.commit(txid);
    }
}
