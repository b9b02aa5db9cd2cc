package io.tally.bench;

import io.tally.state.journey.JourneyStateCodec;
import io.tally.state.journey.SessionProgress;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.storm.trident.state.OpaqueValue;

/**
 * The heap and the stored bytes of users' session state, measured: a million (session stream, user) values as the
 * per-user stage's map state caches them (the Trident key, the opaque wrapper with the value before and after a
 * batch), with one, two and five open sessions each, the heap used after a full collection before and after. Run with
 * a heap of at least 2 GB and nothing else in the JVM.
 */
public final class SessionStateMemoryBenchmark {
    private static final int USERS = 1_000_000;
    private static final long MINUTE = 60_000L;
    private static final long HORIZON = 7 * 24 * 60 * MINUTE + 60 * MINUTE;

    private SessionStateMemoryBenchmark() {
    }

    public static void main(String[] args) {
        for (int sessions : new int[] {1, 2, 5}) {
            measure(sessions);
        }
    }

    private static void measure(int sessions) {
        SplittableRandom random = new SplittableRandom(sessions);
        long before = usedAfterGc();
        List<Object[]> cached = new ArrayList<>(USERS);
        long stored = 0;
        for (int user = 0; user < USERS; user++) {
            long start = 1_795_000_000_000L + random.nextLong(86_400_000L);
            // Each session a few events, the next one an hour later: the user's whole stream stays open.
            long[] times = new long[sessions * 4];
            for (int s = 0; s < sessions; s++) {
                for (int e = 0; e < 4; e++) {
                    times[s * 4 + e] = start + s * 60 * MINUTE + e * random.nextLong(1, 5 * MINUTE);
                }
            }
            SessionProgress value = SessionProgress.advance(null, times, 30 * MINUTE, HORIZON).progress();
            if (value.sessions().size() != sessions) {
                throw new IllegalStateException("expected " + sessions + " open sessions, was " + value.sessions());
            }
            stored += JourneyStateCodec.toBytes(value).length;
            // The value before the batch, without its last event, is kept beside it as Trident's opaque values are.
            SessionProgress previous = SessionProgress.advance(null, java.util.Arrays.copyOf(times, times.length - 1),
                    30 * MINUTE, HORIZON).progress();
            cached.add(new Object[] {List.of("~sessions:ios", "user-" + user), new OpaqueValue<>(7L, value, previous)});
        }
        long after = usedAfterGc();
        System.out.printf("%d open session(s) per user: %.1f bytes per (stream, user) on the heap (key, opaque"
                        + " wrapper, value), %.1f bytes stored in user_journeys.state; %,d MB per million users%n",
                sessions, (after - before) / (double) USERS, stored / (double) USERS, (after - before) >> 20);
        if (cached.size() != USERS) {
            throw new IllegalStateException("lost values");
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
