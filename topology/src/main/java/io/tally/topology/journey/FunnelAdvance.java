package io.tally.topology.journey;

import io.tally.bolts.journey.CompiledFunnels.Funnel;
import io.tally.state.cassandra.MapTable;
import io.tally.state.journey.FunnelProgress;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.UtcBucket;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.List;
import org.apache.storm.trident.state.ValueUpdater;

/**
 * One (funnel, user)'s matching events of a batch, applied to its stored progress by the opaque map state's
 * {@code multiUpdate}, which hands it the value from before the batch (also when the batch is a replay). It keeps that
 * value, so the caller can emit the difference of the user's contribution to the funnel tables (see
 * {@link FunnelProgress} for why that makes the tables exact).
 */
public final class FunnelAdvance implements ValueUpdater<FunnelProgress>, JourneyChange {
    private final Funnel funnel;
    private final long horizonMillis;
    private final LongArrayList times = new LongArrayList(4);
    private final IntArrayList masks = new IntArrayList(4);
    private FunnelProgress before;
    private FunnelProgress after;

    /** @param horizonMillis how much older than a user's newest event an event may still arrive */
    public FunnelAdvance(Funnel funnel, long horizonMillis) {
        this.funnel = funnel;
        this.horizonMillis = horizonMillis;
    }

    /** An event of the batch matching the steps of {@code stepMask} (not 0). */
    public void add(long eventMillis, int stepMask) {
        times.add(eventMillis);
        masks.add(stepMask);
    }

    @Override
    public FunnelProgress update(FunnelProgress stored) {
        before = stored;
        after = FunnelProgress.advance(stored, times.toLongArray(), masks.toIntArray(), funnel.steps().size(),
                funnel.windowMillis(), horizonMillis);
        return after;
    }

    /** Where a change to a count table goes. */
    @FunctionalInterface
    public interface TableDeltas {
        void add(MapTable<Long> table, List<Object> key, long delta);
    }

    /** Adds to {@code deltas} what the batch changed in the funnel tables: the new chain's rows less the old one's. */
    @Override
    public void emitChange(TableDeltas deltas) {
        int steps = funnel.steps().size();
        long[] old = before == null ? new long[0] : before.chain(steps, funnel.windowMillis());
        long[] now = after.chain(steps, funnel.windowMillis());
        if (!java.util.Arrays.equals(old, now)) {
            contribute(funnel.name(), old, -1, deltas);
            contribute(funnel.name(), now, 1, deltas);
        }
    }

    /**
     * A user's rows in the funnel tables, times {@code sign}: one user on their entry day for each step reached, and
     * the time from the previous step for steps 2 on.
     */
    static void contribute(String funnel, long[] chain, long sign, TableDeltas deltas) {
        if (chain.length == 0) {
            return;
        }
        long day = UtcBucket.DAY.start(chain[0]);
        for (int step = 1; step <= chain.length; step++) {
            List<Object> key = List.of(funnel, day, step);
            deltas.add(TallyTables.FUNNEL_STEPS_BY_DAY, key, sign);
            if (step > 1) {
                deltas.add(TallyTables.FUNNEL_STEP_MS_BY_DAY, key, sign * (chain[step - 1] - chain[step - 2]));
            }
        }
    }
}
