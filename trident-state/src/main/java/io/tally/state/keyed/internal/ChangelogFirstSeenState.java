package io.tally.state.keyed.internal;

import io.tally.state.keyed.FirstSeenState;
import io.tally.state.keyed.KeyRoute;
import io.tally.state.keyed.KeyChangelog;
import io.tally.state.keyed.KeyRouting;
import io.tally.state.keyed.KeySpill;
import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import it.unimi.dsi.fastutil.Hash;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.objects.Object2LongMap;
import it.unimi.dsi.fastutil.objects.Object2LongOpenCustomHashMap;
import it.unimi.dsi.fastutil.objects.ObjectArrayList;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FirstSeenState} in the worker's memory, logged to Cassandra's {@code keyed_state_log} once per batch.
 *
 * <h2>Bounded memory</h2>
 * The keys held in memory are weighed ({@link #weight}); when a new batch begins and they weigh more than the budget,
 * the oldest are moved out until they weigh three quarters of it: written to a {@link KeySpill} (durably, before
 * they leave memory) and added to a Bloom filter of spilled keys. A key not in memory is looked up in the spill only
 * when the filter says it may be there, so a new key costs no read, and a spilled key or a false positive one read.
 * The set of keys is the same as without a budget, memory and spill together, so every decision is the same: the
 * budget trades reads for memory, never exactness. A restore reads the whole changelog as before and spills the
 * oldest keys again as the budget is passed, so the filter knows every spilled key of the retention.
 *
 * <p>The filter is sized for {@link #SPILLED_KEYS_PER_BUDGET_BYTE} spilled keys per byte of budget at 1 % false
 * positives, about a tenth of the budget; past that its false positives, and so the reads, grow, and the answers
 * stay exact.
 */
public final class ChangelogFirstSeenState implements FirstSeenState {
    private static final Logger LOG = LoggerFactory.getLogger(ChangelogFirstSeenState.class);
    private static final long ABSENT = Long.MIN_VALUE;
    private static final long SWEEP_EVERY_MILLIS = 60_000;
    /** Restored keys between checks of the budget during a restore. */
    private static final int RESTORE_CHECK_EVERY = 1 << 16;
    static final double SPILLED_KEYS_PER_BUDGET_BYTE = 1.0 / 16;
    /** No budget: every key within its retention stays in memory. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    private final String store;
    private final long retentionMillis;
    private final int partition;
    private final int partitions;
    private final KeyRoute route;
    private final KeyChangelog changelog;
    private final LongSupplier clock;
    private final long budgetBytes;
    private final KeySpill spill;
    /** The keys moved to the spill within their retention; null until the first move. */
    private BloomFilter<CharSequence> spilled;
    private long heldBytes;
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
        this(store, retentionMillis, partition, partitions, route, changelog, clock, UNBOUNDED, null);
    }

    /**
     * @param budgetBytes how much the keys held in memory may weigh ({@link #weight}) when a batch begins, or
     *     {@link #UNBOUNDED}
     * @param spill where the keys past the budget go; null only when unbounded
     */
    public ChangelogFirstSeenState(String store, long retentionMillis, int partition, int partitions,
            KeyRoute route, KeyChangelog changelog, LongSupplier clock, long budgetBytes, KeySpill spill) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive, was " + budgetBytes + " bytes");
        }
        if (budgetBytes != UNBOUNDED && spill == null) {
            throw new IllegalArgumentException("a bounded state needs somewhere to spill its keys");
        }
        this.budgetBytes = budgetBytes;
        this.spill = spill;
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
            spillIfOverBudget(now);
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
        if (inserted) {
            if (spilled != null && spilled.mightContain(key) && spilledWithinRetention(key)) {
                seen.removeLong(key);
                return false;
            }
            heldBytes += weight(key);
        } else {
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

    /** Whether the spill holds {@code key} from a batch within its retention; the key was just added to memory. */
    private boolean spilledWithinRetention(String key) {
        long spilledAt;
        try {
            spilledAt = spill.addedMillis(store, key);
        } catch (RuntimeException e) {
            seen.removeLong(key);
            throw e;
        }
        return spilledAt != KeySpill.ABSENT && batchMillis - spilledAt < retentionMillis;
    }

    /**
     * What a key held in memory is counted as weighing: its characters (one byte each in a Latin-1 string), the string's
     * and its array's headers, and the hash table's slots for it with their share of the free ones, as
     * {@code KeyedStateMemoryBenchmark} measures them.
     */
    static long weight(String key) {
        return 76L + key.length();
    }

    @Override
    public int size() {
        return seen.size();
    }

    /** How much the keys held in memory weigh ({@link #weight}). */
    @Override
    public long heldBytes() {
        return heldBytes;
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
                heldBytes -= weight(addedKeys.get(i));
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
        var entries = seen.object2LongEntrySet().fastIterator();
        while (entries.hasNext()) {
            Object2LongMap.Entry<String> entry = entries.next();
            if (entry.getLongValue() <= oldest) {
                heldBytes -= weight(entry.getKey());
                entries.remove();
            }
        }
        lastSweepMillis = now;
    }

    /**
     * Moves the oldest keys to the spill until the rest weigh three quarters of the budget; keys past their retention
     * are dropped instead. Runs between batches, so no batch's undo record names a key it moves.
     */
    private void spillIfOverBudget(long now) {
        if (heldBytes <= budgetBytes) {
            return;
        }
        long started = System.nanoTime();
        long[] times = seen.values().toLongArray();
        Arrays.sort(times);
        // The newest time whose keys, with all older ones, may leave: the weight to shed, counted oldest first.
        long toShed = heldBytes - budgetBytes / 4 * 3;
        long shed = 0;
        long through = Long.MIN_VALUE;
        long averageWeight = heldBytes / Math.max(1, times.length);
        for (int i = 0; i < times.length && shed < toShed; i++) {
            through = times[i];
            shed += averageWeight;
        }
        long oldest = now - retentionMillis;
        ObjectArrayList<String> keys = new ObjectArrayList<>();
        LongArrayList added = new LongArrayList();
        for (Object2LongMap.Entry<String> entry : seen.object2LongEntrySet()) {
            if (entry.getLongValue() <= through && entry.getLongValue() > oldest) {
                keys.add(entry.getKey());
                added.add(entry.getLongValue());
            }
        }
        spill.write(store, keys, added, retentionMillis);
        if (spilled == null) {
            spilled = BloomFilter.create(Funnels.unencodedCharsFunnel(),
                    Math.max(1_000L, (long) (budgetBytes * SPILLED_KEYS_PER_BUDGET_BYTE)), 0.01);
        }
        keys.forEach(spilled::put);
        var entries = seen.object2LongEntrySet().fastIterator();
        int moved = 0;
        while (entries.hasNext()) {
            Object2LongMap.Entry<String> entry = entries.next();
            if (entry.getLongValue() <= through) {
                heldBytes -= weight(entry.getKey());
                entries.remove();
                moved++;
            }
        }
        LOG.info("{} partition {} of {} moved {} keys added up to {} out of memory ({} spilled, {} expired) in {} ms;"
                        + " {} keys ({} MB) stay", store, partition, partitions, moved, Instant.ofEpochMilli(through),
                keys.size(), moved - keys.size(), (System.nanoTime() - started) / 1_000_000, seen.size(),
                heldBytes >> 20);
    }

    private void restore(long firstTxid, long now) {
        long started = System.nanoTime();
        LOG.info("{} partition {} of {} restoring the batches before {} from the changelog", store, partition,
                partitions, firstTxid);
        long oldest = now - retentionMillis;
        // The route logged with a key is not trusted: it was computed under the routing key of the submission that
        // logged it (or by an older version's hash), and only the current routing says where its events now go.
        long[] restored = {0};
        long rows = changelog.read(store, oldest, now, firstTxid, (key, loggedRoute, addedMillis) -> {
            if (addedMillis > oldest && KeyRouting.partition(route.of(key), partitions) == partition) {
                long held = seen.put(key, addedMillis);
                if (held == ABSENT) {
                    heldBytes += weight(key);
                } else if (held > addedMillis) {
                    seen.put(key, held);
                }
                if (++restored[0] % RESTORE_CHECK_EVERY == 0) {
                    spillIfOverBudget(now);
                }
            }
        });
        spillIfOverBudget(now);
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
