package io.tally.state.keyed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Background writes held until the test runs them, as a writing thread that is slow or not scheduled yet; a state that
 * waits for one ({@link CompletableFuture#join}) runs it then.
 */
public final class HeldWrites implements BackgroundWrites {
    public final List<Held> pending = new ArrayList<>();

    @Override
    public CompletableFuture<Void> start(Runnable writes) {
        Held held = new Held(writes);
        pending.add(held);
        return held;
    }

    /** Runs every write held, in the order they were started. */
    public void runAll() {
        pending.forEach(Held::run);
        pending.clear();
    }

    /** Forgets every write held: they die with their process. */
    public void dropAll() {
        pending.clear();
    }

    /** One write held. */
    public static final class Held extends CompletableFuture<Void> {
        private Runnable writes;

        Held(Runnable writes) {
            this.writes = writes;
        }

        void run() {
            if (writes == null) {
                return;
            }
            Runnable running = writes;
            writes = null;
            try {
                running.run();
                complete(null);
            } catch (RuntimeException e) {
                completeExceptionally(e);
            }
        }

        @Override
        public Void join() {
            run();
            return super.join();
        }
    }
}
