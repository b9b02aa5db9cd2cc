package io.tally.bench;

import io.tally.state.keyed.KeyRouting;
import it.unimi.dsi.fastutil.Hash;
import it.unimi.dsi.fastutil.objects.Object2LongOpenCustomHashMap;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What the keyed stages' per-key work costs with the secret-keyed SipHash (a route and a lookup and insertion in a
 * partition's key set, each hashing the key) beside the same work with {@link String#hashCode()} (computed once per
 * key and cached by the string), as the stages did before. Fresh strings every pass, as parsed events bring them.
 */
public final class KeyRoutingBenchmark {
    private static final int KEYS = 1_000_000;
    private static final int PASSES = 7;

    private KeyRoutingBenchmark() {
    }

    public static void main(String[] args) {
        KeyRouting routing = KeyRouting.random();
        KeyRouting mapHash = KeyRouting.random();
        Hash.Strategy<String> secret = new Hash.Strategy<>() {
            @Override
            public int hashCode(String key) {
                return key == null ? 0 : (int) mapHash.hash(key);
            }

            @Override
            public boolean equals(String a, String b) {
                return a == null ? b == null : a.equals(b);
            }
        };
        double[] hashCodeNanos = new double[PASSES];
        double[] sipHashNanos = new double[PASSES];
        long sink = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            String[] keys = keys(pass);
            Object2LongOpenHashMap<String> plain = new Object2LongOpenHashMap<>();
            long started = System.nanoTime();
            for (String key : keys) {
                sink += legacyRoute(key) & 7;
                if (plain.getLong(key) == 0) {
                    plain.put(key, 1);
                }
            }
            hashCodeNanos[pass] = (System.nanoTime() - started) / (double) KEYS;
            keys = keys(pass);
            Object2LongOpenCustomHashMap<String> keyed = new Object2LongOpenCustomHashMap<>(secret);
            started = System.nanoTime();
            for (String key : keys) {
                sink += KeyRouting.partition(routing.route(key), 8);
                if (keyed.getLong(key) == 0) {
                    keyed.put(key, 1);
                }
            }
            sipHashNanos[pass] = (System.nanoTime() - started) / (double) KEYS;
        }
        double before = median(hashCodeNanos);
        double after = median(sipHashNanos);
        System.out.printf("ns per key over the last %d of %d passes of %,d fresh 40-character keys (median):%n",
                PASSES - 2, PASSES, KEYS);
        System.out.printf("  String.hashCode route and key set: %.0f%n", before);
        System.out.printf("  SipHash route and key set:         %.0f%n", after);
        System.out.printf("  ratio: %.2f  (checksum %d)%n", after / before, sink);
    }

    /** The route the keyed stages used before: String.hashCode, then MurmurHash3's 32-bit finaliser. */
    private static int legacyRoute(String key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static String[] keys(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = String.format("%016x-%016x-%05d", random.nextLong(), random.nextLong(), i % 100_000);
        }
        return keys;
    }

    private static double median(double[] passes) {
        double[] measured = Arrays.copyOfRange(passes, 2, passes.length);
        Arrays.sort(measured);
        return measured[measured.length / 2];
    }
}
