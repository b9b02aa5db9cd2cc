package io.tally.topology.journey;

/** What one (definition, user)'s update of a batch changed in the count tables, once the state has applied it. */
public interface JourneyChange {
    /** Adds the user's rows after the batch, less their rows before it, to {@code deltas}. */
    void emitChange(FunnelAdvance.TableDeltas deltas);
}
