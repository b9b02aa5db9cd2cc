package io.tally.topology.journey;

import io.tally.state.cassandra.MapTable;
import io.tally.state.journey.JourneyState;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.List;
import org.apache.storm.trident.state.ValueUpdater;

/**
 * One (definition, user)'s events of a batch, applied to its stored state by the opaque map state's
 * {@code multiUpdate}, which hands it the value from before the batch (also when the batch is a replay). It keeps that
 * value and the new one, so the caller can emit the difference of the user's rows in the tables (see
 * {@code FunnelProgress} for why that makes them exact).
 *
 * @param <T> the state of the definition's kind
 */
public abstract class JourneyAdvance<T extends JourneyState> implements ValueUpdater<T> {
    /** How much older than a user's newest event an event may still arrive (see {@code FunnelProgress}). */
    final long horizonMillis;
    private final LongArrayList times = new LongArrayList(4);
    private final IntArrayList marks = new IntArrayList(4);
    private T before;
    private T after;

    JourneyAdvance(long horizonMillis) {
        this.horizonMillis = horizonMillis;
    }

    /** An event of the batch, with what it is to the definition as bits (not 0). */
    public final void add(long eventMillis, int eventMarks) {
        times.add(eventMillis);
        marks.add(eventMarks);
    }

    @Override
    public final T update(T stored) {
        before = stored;
        after = advance(stored, times.toLongArray(), marks.toIntArray());
        return after;
    }

    /** The state after the batch's events: {@code stored} is null for a user new to the definition. */
    abstract T advance(T stored, long[] eventTimes, int[] eventMarks);

    /** The user's rows in the tables for {@code state} (null: none), each with its value. */
    abstract void rows(T state, TableDeltas rows);

    /** The state from before the batch (null for a user new to the definition); valid after {@link #update}. */
    public final T before() {
        return before;
    }

    /** The state after the batch; valid after {@link #update}. */
    public final T after() {
        return after;
    }

    /** Where a change to a count table goes. */
    @FunctionalInterface
    public interface TableDeltas {
        void add(MapTable<Long> table, List<Object> key, long delta);
    }

    /** Adds the user's rows after the batch, less their rows before it, to {@code deltas}. */
    public final void emitChange(TableDeltas deltas) {
        if (before != null && before.equals(after)) {
            return;
        }
        rows(before, (table, key, value) -> deltas.add(table, key, -value));
        rows(after, deltas);
        finished(deltas);
    }

    /**
     * The rows of what this batch took out of the state for good, counted from now on by the tables alone (sessions
     * that can no longer grow); none by default.
     */
    void finished(TableDeltas rows) {
    }
}
