package io.tally.state.keyed;

/**
 * Which state partition owns a key. Both sides use it: the topology routes each event to the partition of its key,
 * and a {@link FirstSeenState} restoring itself keeps the logged keys whose route lands on its own partition, so a
 * topology redeployed with another parallelism finds every key where its events now go.
 *
 * <p>The route is a function of the key's text alone ({@link String#hashCode()}, specified by the language, then
 * mixed so that keys differing in their last characters spread over all partitions).
 */
public final class KeyRouting {
    private KeyRouting() {
    }

    /** The key's route: stored with it in the changelog, and the input of {@link #partition}. */
    public static int route(String key) {
        int h = key.hashCode();
        // MurmurHash3's 32-bit finaliser.
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The partition, of {@code partitions}, that owns a key with this route. */
    public static int partition(int route, int partitions) {
        return Math.floorMod(route, partitions);
    }
}
