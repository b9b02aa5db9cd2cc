package io.tally.local.server;

import java.time.Duration;

/**
 * A server its launcher started in a JVM of its own, ended through that JVM's process handle: stopped cleanly, or
 * killed as a crash would end it, for fault tests. Its data stays either way, for the launcher to start it again on.
 */
public abstract class ServerProcess implements AutoCloseable {
    private final ChildJvm jvm;
    private final Duration stopGrace;

    ServerProcess(ChildJvm jvm, Duration stopGrace) {
        this.jvm = jvm;
        this.stopGrace = stopGrace;
    }

    /** A second server on the same data and ports would fail, or worse, share them: this one must have exited. */
    void requireExited() {
        if (jvm.isAlive()) {
            throw new IllegalStateException(jvm.name() + " is still running (pid " + jvm.pid() + ")");
        }
    }

    /** SIGTERM, so the server shuts down cleanly (flushing what it holds); SIGKILL if it lingers. */
    public void stop() {
        jvm.stop(stopGrace);
    }

    /** SIGKILL at once, as a crash: nothing is flushed, and the next start recovers from what is on disk. */
    public void kill() {
        jvm.kill();
    }

    @Override
    public void close() {
        stop();
    }

    public long pid() {
        return jvm.pid();
    }

    public boolean isAlive() {
        return jvm.isAlive();
    }
}
