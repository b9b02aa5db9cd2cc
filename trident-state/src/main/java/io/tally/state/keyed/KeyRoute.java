package io.tally.state.keyed;

import java.io.Serializable;

/**
 * The route of a key a {@link FirstSeenState} holds, computed from the key's text: the route of the key itself (a
 * {@code messageId}), or of the part of it the topology routes by (the user of a (user, event, day) key). A restoring
 * partition recomputes it for every logged key, so it keeps exactly the keys the topology now sends to it.
 */
@FunctionalInterface
public interface KeyRoute extends Serializable {
    int of(String key);

    /** Routes each key by its whole text. */
    static KeyRoute wholeKey(KeyRouting routing) {
        return new WholeKey(routing);
    }

    /** {@link #wholeKey}, a class of its own so that it serializes without a lambda. */
    record WholeKey(KeyRouting routing) implements KeyRoute {
        @Override
        public int of(String key) {
            return routing.route(key);
        }
    }
}
