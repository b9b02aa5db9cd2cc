package io.tally.topology;

import java.io.Serializable;
import org.apache.storm.trident.state.StateFactory;

/**
 * A hook around each state the topology writes, named by its table. Production passes {@link #NONE}; the fault
 * tests pass a wrapper whose state fails a batch once after writing, to prove replays count exactly once.
 */
@FunctionalInterface
public interface StateWrapper extends Serializable {
    StateWrapper NONE = (table, factory) -> factory;

    StateFactory wrap(String table, StateFactory factory);
}
