package io.tally.it.support;

import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.internal.CassandraChangelog;
import io.tally.state.cassandra.internal.StateMetrics;
import java.util.HashSet;
import java.util.Set;

/** What a keyed state's changelog would restore: every key it logged, as a worker starting now would read them. */
public final class KeyedStateLog {
    private KeyedStateLog() {
    }

    /** The distinct keys of {@code store} logged in the past day by batches that committed. */
    public static Set<String> keys(CassandraSettings cassandra, String store) {
        Set<String> keys = new HashSet<>();
        long now = System.currentTimeMillis();
        new CassandraChangelog(cassandra, StateMetrics.unregistered())
                .read(store, now - 86_400_000L, now, Long.MAX_VALUE, (key, route, addedMillis) -> keys.add(key));
        return keys;
    }
}
