package io.tally.spouts.objectstore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * The keys of one prefix after a watermark, a page at a time. Only the current page is held, so memory stays the
 * same whatever the prefix holds. A prefix listed to its end is listed again only after the scan interval.
 */
final class PrefixListing {
    private final ObjectStoreClient client;
    private final String prefix;
    private final String startAfter;
    private final String endBefore;
    private final long scanIntervalMillis;
    private final LongSupplier clock;
    private final Deque<StoredObject> page = new ArrayDeque<>();
    private boolean moreListed;
    private boolean everListed;
    private long listedAt;

    /**
     * @param startAfter keys up to {@code prefix + startAfter} are never returned (null: none excluded)
     * @param endBefore keys from {@code prefix + endBefore} on are never returned (null: none excluded)
     */
    PrefixListing(ObjectStoreClient client, String prefix, String startAfter, String endBefore,
            long scanIntervalMillis, LongSupplier clock) {
        this.client = client;
        this.prefix = prefix;
        this.startAfter = startAfter == null ? null : prefix + startAfter;
        this.endBefore = endBefore == null ? null : prefix + endBefore;
        this.scanIntervalMillis = scanIntervalMillis;
        this.clock = clock;
    }

    /**
     * The first object whose key sorts after {@code watermark} (null: the start) and before the range's end, or null
     * when none is known now.
     */
    StoredObject next(String watermark) {
        String after = later(watermark, startAfter);
        dropUpTo(after);
        if (page.isEmpty() && (!everListed || moreListed || clock.getAsLong() - listedAt >= scanIntervalMillis)) {
            ObjectStoreClient.Page listed = client.list(prefix, after);
            everListed = true;
            listedAt = clock.getAsLong();
            page.addAll(listed.objects());
            moreListed = listed.truncated();
            dropUpTo(after);
        }
        StoredObject first = page.peekFirst();
        if (first != null && endBefore != null && compareKeys(first.key(), endBefore) >= 0) {
            // Past the range's end: nothing more to read, though a late key before the end is still looked for.
            page.clear();
            moreListed = false;
            return null;
        }
        return first;
    }

    /** Passes over {@code key}, the first of the page, without moving any watermark. */
    void skip(String key) {
        if (!page.isEmpty() && page.peekFirst().key().equals(key)) {
            page.removeFirst();
        }
    }

    private void dropUpTo(String key) {
        while (key != null && !page.isEmpty() && compareKeys(page.peekFirst().key(), key) <= 0) {
            page.removeFirst();
        }
    }

    private static String later(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null || compareKeys(a, b) >= 0 ? a : b;
    }

    /** The store's order of keys: by their UTF-8 bytes, which differs from String order for some characters. */
    static int compareKeys(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
