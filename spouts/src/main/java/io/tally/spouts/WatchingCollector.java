package io.tally.spouts;

import org.apache.storm.trident.operation.TridentCollector;

/** A collector in front of a spout's own, looking at each tuple on its way; subclasses decide what to pass on. */
public abstract class WatchingCollector implements TridentCollector {
    protected final TridentCollector delegate;

    protected WatchingCollector(TridentCollector delegate) {
        this.delegate = delegate;
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void reportError(Throwable t) {
        delegate.reportError(t);
    }
}
