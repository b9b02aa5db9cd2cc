package io.tally.state.keyed;

import it.unimi.dsi.fastutil.ints.IntList;
import java.util.List;

/** Where a {@link FirstSeenState} logs each batch's additions and restores from. */
public interface KeyChangelog {

    /** Receives each key a restore reads: its text, route, and when its batch added it. */
    @FunctionalInterface
    interface EntryConsumer {
        void accept(String key, int route, long addedMillis);
    }

    /**
     * Logs one batch's additions of one partition: durable when this returns, or it throws and the batch fails. An
     * empty batch is logged too.
     */
    void append(String store, long batchMillis, long txid, int attempt, int partitions, int partition,
            List<String> keys, IntList routes, long retentionMillis);

    /**
     * Reads back the additions of every batch before {@code firstTxid} logged from {@code fromMillis} to
     * {@code toMillis}, each batch's from its last attempt only.
     *
     * @return how many log rows were read
     */
    long read(String store, long fromMillis, long toMillis, long firstTxid, EntryConsumer entries);
}
