package io.tally.dashboard;

import com.datastax.oss.driver.api.core.CqlSession;
import java.util.function.Supplier;

/**
 * A session opened on first use, and tried again on the next use after opening failed: the dashboard starts (and
 * its pages say Cassandra is not answering) while Cassandra is down, and works once it is up. Once open, the driver
 * reconnects by itself.
 */
public final class LazySession implements Supplier<CqlSession>, AutoCloseable {
    private final Supplier<CqlSession> open;
    private CqlSession session;
    private boolean closed;

    public LazySession(Supplier<CqlSession> open) {
        this.open = open;
    }

    @Override
    public synchronized CqlSession get() {
        if (closed) {
            throw new IllegalStateException("the dashboard is stopping");
        }
        if (session == null) {
            session = open.get();
        }
        return session;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (session != null) {
            session.close();
        }
    }
}
