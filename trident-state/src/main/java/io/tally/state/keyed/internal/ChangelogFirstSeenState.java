package io.tally.state.keyed.internal;

import io.tally.state.keyed.FirstSeenState;
import io.tally.state.keyed.KeyRoute;
import io.tally.state.keyed.KeyRouting;
import it.unimi.dsi.fastutil.Hash;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.objects.Object2LongMap;
import it.unimi.dsi.fastutil.objects.Object2LongOpenCustomHashMap;
import it.unimi.dsi.fastutil.objects.ObjectArrayList;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link FirstSeenState} in the worker's memory, logged to Cassandra's {@code keyed_state_log} once per batch. */
public final class ChangelogFirstSeenState implements FirstSeenState {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogFirstSeenState.class);
    private static final long ABSENT = Long.MIN_VALUE;
    private static final long SWEEP_EVERY_MILLIS = 60_000;

    private final String store;
    private final long retentionMillis;
    private final int partition;
    private final int partitions;
    private final KeyRoute route;
    private final KeyChangelog changelog;
    private final LongSupplier clock;
    /**
     * Hashed under a secret key of this map's own: the keys are sender-chosen, and with {@link String#hashCode()}
     * a sender could make them all collide and every lookup walk all of them.
     */
    private final Object2LongOpenCustomHashMap<String> seen = new Object2LongOpenCustomHashMap<>(
            new SecretHash(KeyRouting.random()));

    /** This batch's additions, in order: the key, its route, and its time before (ABSENT: not held). */
    private final ObjectArrayList<String> addedKeys = new ObjectArrayList<>();
    private final IntArrayList addedRoutes = new IntArrayList();
    private final LongArrayList replacedTimes = new LongArrayList();

    /**
     * Adds an absent key as of this batch in the same probe of the table that finds it absent (most keys of the
     * de-duplication stage are), and says so through {@link #inserted}.
     */
    private final ToLongFunction<String> addNow = key -> {
        this.inserted = true;
        return this.batchMillis;
    };
    private boolean inserted;

    private boolean restored;
    private long txid = -1;
    private int attempt = -1;
    private long batchMillis;
    private long lastSweepMillis;

    /**
     * @param store the changelog's name for this state (see {@link io.tally.state.keyed.FirstSeenStateFactory})
     */
    public ChangelogFirstSeenState(String store, long retentionMillis, int partition, int partitions,
            KeyRoute route, KeyChangelog changelog, LongSupplier clock) {
        if (retentionMillis <= 0) {
            throw new IllegalArgumentException("a retention must be positive, was " + retentionMillis + " ms");
        }
        this.store = store;
        this.retentionMillis = retentionMillis;
        this.partition = partition;
        this.partitions = partitions;
        this.route = route;
        this.changelog = changelog;
        this.clock = clock;
        seen.defaultReturnValue(ABSENT);
    }

    @Override
    public void attempt(int attemptId) {
        this.attempt = attemptId;
    }

    @Override
    public void beginCommit(Long batchTxid) {
        if (batchTxid == null) {
            throw new IllegalStateException(store + " needs a transactional stream: a batch without a txid");
        }
        long now = clock.getAsLong();
        if (!restored) {
            restore(batchTxid, now);
            restored = true;
        } else if (batchTxid == txid) {
            undoBatch();
        } else if (batchTxid < txid) {
            throw new IllegalStateException(store + " was given batch " + batchTxid + " after batch " + txid
                    + ": Trident applies batches to a state in order");
        } else {
            forgetBatch();
            if (now - lastSweepMillis >= SWEEP_EVERY_MILLIS) {
                sweep(now);
            }
        }
        txid = batchTxid;
        attempt = -1;
        batchMillis = now;
    }

    @Override
    public boolean firstSeen(String key, int route) {
        inserted = false;
        long held = seen.computeIfAbsent(key, addNow);
        long before = ABSENT;
        if (!inserted) {
            if (batchMillis - held < retentionMillis) {
                return false;
            }
            before = held;
            seen.put(key, batchMillis);
        }
        addedKeys.add(key);
        addedRoutes.add(route);
        replacedTimes.add(before);
        return true;
    }

    @Override
    public int size() {
        return seen.size();
    }

    @Override
    public void commit(Long batchTxid) {
        if (attempt < 0) {
            throw new IllegalStateException(store + " was not told the attempt of batch " + batchTxid);
        }
        changelog.append(store, batchMillis, batchTxid, attempt, partitions, partition, addedKeys, addedRoutes,
                retentionMillis);
    }

    private void undoBatch() {
        for (int i = addedKeys.size() - 1; i >= 0; i--) {
            long before = replacedTimes.getLong(i);
            if (before == ABSENT) {
                seen.removeLong(addedKeys.get(i));
            } else {
                seen.put(addedKeys.get(i), before);
            }
        }
        forgetBatch();
    }

    private void forgetBatch() {
        addedKeys.clear();
        addedRoutes.clear();
        replacedTimes.clear();
    }

    private void sweep(long now) {
        long oldest = now - retentionMillis;
        seen.object2LongEntrySet().removeIf(entry -> entry.getLongValue() <= oldest);
        lastSweepMillis = now;
    }

    private void restore(long firstTxid, long now) {
        long started = System.nanoTime();
        LOG.info("{} partition {} of {} restoring the batches before {} from the changelog", store, partition,
                partitions, firstTxid);
        long oldest = now - retentionMillis;
        // The route logged with a key is not trusted: it was computed under the routing key of the submission that
        // logged it (or by an older version's hash), and only the current routing says where its events now go.
        long rows = changelog.read(store, oldest, now, firstTxid, (key, loggedRoute, addedMillis) -> {
            if (addedMillis > oldest && KeyRouting.partition(route.of(key), partitions) == partition) {
                long held = seen.getLong(key);
                if (held == ABSENT || held < addedMillis) {
                    seen.put(key, addedMillis);
                }
            }
        });
        lastSweepMillis = now;
        LOG.info("{} partition {} of {} restored {} keys from {} changelog rows (batches before {}) in {} ms",
                store, partition, partitions, seen.size(), rows, firstTxid,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Hashes the map's keys by SipHash under a secret key. */
    private record SecretHash(KeyRouting routing) implements Hash.Strategy<String> {
        @Override
        public int hashCode(String key) {
            return key == null ? 0 : (int) routing.hash(key);
        }

        @Override
        public boolean equals(String a, String b) {
            return a == null ? b == null : a.equals(b);
        }
    }

    /** Entries held, for tests: key to the time it was added. */
    Object2LongMap<String> entries() {
        return seen;
    }
}
