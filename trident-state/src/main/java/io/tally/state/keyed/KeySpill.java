package io.tally.state.keyed;

import it.unimi.dsi.fastutil.longs.LongList;
import java.util.List;

/**
 * Where a {@link FirstSeenState} keeps the keys it no longer holds in memory, each findable by its text, until its
 * retention has passed.
 */
public interface KeySpill {
    /** What {@link #addedMillis} answers for a key that is not here. */
    long ABSENT = Long.MIN_VALUE;

    /** Stores each key with the time its batch added it: durable when this returns, or it throws. */
    void write(String store, List<String> keys, LongList addedMillis, long retentionMillis);

    /** When the batch that added {@code key} ran, or {@link #ABSENT}. */
    long addedMillis(String store, String key);
}
