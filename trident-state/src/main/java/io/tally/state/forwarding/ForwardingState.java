package io.tally.state.forwarding;

import java.util.Objects;
import org.apache.storm.trident.state.State;

/**
 * What every forwarding state shares: the delegate, and a batch's begin and commit handed on. The begin and commit go
 * to {@code commits}, the delegate itself unless a wrapper acts around them (the progress guard's check): one such
 * {@link State} serves the wrappers of every kind of state.
 */
public abstract class ForwardingState<S extends State> implements State {
    private final S delegate;
    private final State commits;

    ForwardingState(S delegate, State commits) {
        this.delegate = Objects.requireNonNull(delegate);
        this.commits = Objects.requireNonNull(commits);
    }

    protected final S delegate() {
        return delegate;
    }

    @Override
    public void beginCommit(Long txid) {
        commits.beginCommit(txid);
    }

    @Override
    public void commit(Long txid) {
        commits.commit(txid);
    }
}
