package io.tally.state.keyed;

import java.io.Serializable;
import java.security.SecureRandom;

/**
 * Which state partition owns a key. Both sides use it: the topology routes each event to the partition of its key,
 * and a {@link FirstSeenState} restoring itself keeps the logged keys whose route lands on its own partition, so a
 * topology redeployed with another parallelism finds every key where its events now go.
 *
 * <p>The route is SipHash-2-4 of the key's UTF-16 text under a secret 128-bit key: senders choose message ids and
 * user ids, and with a hash they could compute ({@link String#hashCode()} has whole families of equal values, such as
 * {@code "Aa"}/{@code "BB"}) they could send every event to one partition, or fill one hash bucket of a partition's
 * memory. A topology draws its key when it is built, so every worker of one submission routes alike; a restore
 * recomputes each logged key's route with the current key (see {@link KeyRoute}) rather than trusting the route stored
 * with it, so a redeploy under a new key, or keys logged by a version that routed by {@code hashCode}, still land where
 * their events now go.
 */
public final class KeyRouting implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final long k0;
    private final long k1;

    private KeyRouting(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** Routing under a fresh secret key. */
    public static KeyRouting random() {
        return new KeyRouting(RANDOM.nextLong(), RANDOM.nextLong());
    }

    /** Routing under a given key (tests, and anything that must agree with a recorded key). */
    public static KeyRouting withKey(long k0, long k1) {
        return new KeyRouting(k0, k1);
    }

    /** The key's route: the input of {@link #partition}. */
    public int route(CharSequence key) {
        return (int) (hash(key) >>> 32);
    }

    /** The partition, of {@code partitions}, that owns a key with this route. */
    public static int partition(int route, int partitions) {
        return Math.floorMod(route, partitions);
    }

    /**
     * SipHash-2-4 of the text as little-endian UTF-16 code units, the bytes Java's {@code char}s are: equal to
     * SipHash-2-4 of those bytes, which the tests check against an independent implementation.
     */
    public long hash(CharSequence text) {
        SipState state = new SipState(k0, k1);
        int length = text.length();
        int whole = length & ~3;
        for (int i = 0; i < whole; i += 4) {
            state.absorb(text.charAt(i) | (long) text.charAt(i + 1) << 16 | (long) text.charAt(i + 2) << 32
                    | (long) text.charAt(i + 3) << 48);
        }
        long last = (long) (2 * length & 0xff) << 56;
        for (int i = whole, shift = 0; i < length; i++, shift += 16) {
            last |= (long) text.charAt(i) << shift;
        }
        state.absorb(last);
        return state.finish();
    }

    /** SipHash's four words of state (short-lived: the JIT keeps them in registers). */
    private static final class SipState {
        private long v0;
        private long v1;
        private long v2;
        private long v3;

        SipState(long k0, long k1) {
            v0 = k0 ^ 0x736f6d6570736575L;
            v1 = k1 ^ 0x646f72616e646f6dL;
            v2 = k0 ^ 0x6c7967656e657261L;
            v3 = k1 ^ 0x7465646279746573L;
        }

        void absorb(long word) {
            v3 ^= word;
            rounds(2);
            v0 ^= word;
        }

        long finish() {
            v2 ^= 0xff;
            rounds(4);
            return v0 ^ v1 ^ v2 ^ v3;
        }

        private void rounds(int count) {
            for (int round = 0; round < count; round++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13) ^ v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16) ^ v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21) ^ v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17) ^ v2;
                v2 = Long.rotateLeft(v2, 32);
            }
        }
    }
}
