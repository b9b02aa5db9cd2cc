package io.tally.bench;

import io.tally.state.keyed.FirstSeenState;
import io.tally.state.keyed.FirstSeenStateFactory;
import io.tally.state.keyed.KeyChangelog;
import io.tally.state.keyed.KeyRoute;
import io.tally.state.keyed.KeyRouting;
import it.unimi.dsi.fastutil.ints.IntList;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The heap a keyed partition's keys take, measured: a million messageIds (random UUIDs, as SDKs send) and a million
 * (user, event, day) keys in one partition's memory, the heap used after a full collection before and after, beside
 * the weight the memory budget counts them at. Run with a heap of at least 2 GB and nothing else in the JVM.
 */
public final class KeyedStateMemoryBenchmark {
    private static final int KEYS = 1_000_000;
    private static final int BATCH = 100_000;
    private static final KeyChangelog NOWHERE = new KeyChangelog() {
        @Override
        public void append(String store, long batchMillis, long txid, int attempt, int partitions, int partition,
                List<String> keys, IntList routes, long retentionMillis) {
        }

        @Override
        public long read(String store, long fromMillis, long toMillis, long firstTxid, EntryConsumer entries) {
            return 0;
        }
    };

    private KeyedStateMemoryBenchmark() {
    }

    public static void main(String[] args) {
        measure("messageIds (random UUIDs)", i -> UUID.randomUUID().toString());
        // As the per-user stage builds them: epoch day, the event's length and name, the user.
        measure("(user, event, day) keys", i -> "20410:15:Product Viewed" + "user-" + (i / 8) + "-" + (i % 8));
        measureKnownRows();
    }

    /** What the known row keys of a map state partition (fingerprints in a set of longs) take per row. */
    private static void measureKnownRows() {
        long before = usedAfterGc();
        LongOpenHashSet fingerprints = new LongOpenHashSet();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < KEYS; i++) {
            fingerprints.add(random.nextLong());
        }
        long after = usedAfterGc();
        System.out.printf("known row keys: %,d rows: %.1f bytes each on the heap%n", fingerprints.size(),
                (after - before) / (double) KEYS);
    }

    private static void measure(String what, java.util.function.IntFunction<String> key) {
        KeyRouting routing = KeyRouting.random();
        FirstSeenState state = FirstSeenStateFactory.unpartitioned("bench/keys", Duration.ofDays(1),
                KeyRoute.wholeKey(routing), NOWHERE);
        long before = usedAfterGc();
        long chars = 0;
        for (int txid = 1; txid <= KEYS / BATCH; txid++) {
            state.beginCommit((long) txid);
            state.attempt(0);
            for (int i = (txid - 1) * BATCH; i < txid * BATCH; i++) {
                String text = key.apply(i);
                chars += text.length();
                state.firstSeen(text, routing.route(text));
            }
            state.commit((long) txid);
        }
        // The next batch forgets the last one's undo record, as in a running topology.
        state.beginCommit((long) KEYS / BATCH + 1);
        long after = usedAfterGc();
        System.out.printf("%s: %,d keys of %.1f characters on average: %.1f bytes each on the heap; the budget counts"
                        + " %.1f (%,d MB per million)%n", what, state.size(), chars / (double) KEYS,
                (after - before) / (double) KEYS, state.heldBytes() / (double) KEYS, (after - before) >> 20);
        if (state.size() != KEYS) {
            throw new IllegalStateException("expected " + KEYS + " keys, held " + state.size());
        }
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
