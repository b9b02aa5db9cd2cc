package io.tally.spouts.objectstore;

import java.io.Serializable;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * What the object-store spout reads and how much at a time. Every default is here. No credentials: the client
 * takes them from the SDK's default chain on the worker (environment, system properties, profile, instance or
 * container role), so they never enter {@code tally.yaml}, the Storm configuration or a log.
 *
 * @param bucket the bucket read
 * @param prefixes key prefixes read, each in key order on its own (default one: {@code ""}, the whole bucket); each
 *     prefix is one spout partition, so spout tasks beyond the number of prefixes stay idle
 * @param endpoint the S3 API's address for an S3-compatible store (MinIO, Ceph, S3Proxy, a gateway), e.g.
 *     {@code http://127.0.0.1:9000}; {@code null} (the default) for Amazon S3
 * @param region the signing region; {@code null} (the default): the SDK's region chain for Amazon S3, or
 *     {@code us-east-1} with an endpoint
 * @param pathStyle address the bucket as {@code endpoint/bucket/key} rather than {@code bucket.endpoint/key} (most
 *     S3-compatible stores need it; default false)
 * @param startAfter where a backfill starts, relative to each prefix: a key up to and including {@code prefix +
 *     startAfter} is never read, e.g. {@code 2026-11-01} for prefix {@code web/} starts at
 *     {@code web/2026-11-01/00.gz} (default none)
 * @param endBefore where a backfill ends, relative to each prefix: a key from {@code prefix + endBefore} on is never
 *     read, e.g. {@code 2026-12-01} ends after {@code web/2026-11-30/23.gz} (default none)
 * @param maxBatchLines lines one prefix adds to one batch at most, across objects (default 100,000)
 * @param maxBatchBytes uncompressed bytes one prefix adds to one batch at most, across objects (default 32 MiB)
 * @param maxBatchObjects objects one prefix reads from in one batch at most; bounds a batch's metadata, which names
 *     each object it read (default 100)
 * @param maxLineBytes a longer line is emitted cut to this many bytes plus one (default 1 MiB)
 * @param rangeBytes stored bytes one GET asks for: an object is read in ranges of this size (default 8 MiB)
 * @param scanIntervalMillis how often a prefix read to its end is listed again for new keys (default 10 s)
 * @param maxAttempts attempts of one request, with the SDK's exponential backoff between them, before the batch
 *     fails and Trident retries it (default 5)
 */
public record ObjectStoreSettings(String bucket, List<String> prefixes, String endpoint, String region,
        boolean pathStyle, String startAfter, String endBefore, int maxBatchLines, int maxBatchBytes,
        int maxBatchObjects, int maxLineBytes, int rangeBytes, long scanIntervalMillis, int maxAttempts)
        implements Serializable {

    public ObjectStoreSettings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("objects.bucket: is required");
        }
        prefixes = prefixes == null || prefixes.isEmpty() ? List.of("") : List.copyOf(prefixes);
        if (prefixes.stream().distinct().count() != prefixes.size()) {
            throw new IllegalArgumentException("objects.prefixes: each prefix at most once, was " + prefixes);
        }
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("objects.endpoint: not a URL: " + endpoint);
            }
            if (uri.getScheme() == null || uri.getHost() == null || !uri.getScheme().matches("https?")) {
                throw new IllegalArgumentException("objects.endpoint: must be an http:// or https:// URL, was "
                        + endpoint);
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalArgumentException("objects.endpoint: must not hold credentials; the SDK's default"
                        + " credentials chain supplies them");
            }
        }
        if (startAfter != null && endBefore != null && PrefixListing.compareKeys(startAfter, endBefore) >= 0) {
            throw new IllegalArgumentException("objects.end_before: must sort after objects.start_after ('"
                    + startAfter + "'), was '" + endBefore + "'");
        }
        positive(maxBatchLines, "objects.max_batch_lines");
        positive(maxBatchBytes, "objects.max_batch_bytes");
        positive(maxBatchObjects, "objects.max_batch_objects");
        positive(maxLineBytes, "objects.max_line_bytes");
        positive(rangeBytes, "objects.range_bytes");
        positive(scanIntervalMillis, "objects.scan_interval_ms");
        positive(maxAttempts, "objects.max_attempts");
    }

    /** The defaults for the whole of a bucket on Amazon S3. */
    public static ObjectStoreSettings of(String bucket) {
        return new ObjectStoreSettings(bucket, List.of(""), null, null, false, null, null, 100_000, 32 * 1024 * 1024,
                100, 1024 * 1024, 8 * 1024 * 1024, 10_000, 5);
    }

    public ObjectStoreSettings withPrefixes(List<String> prefixes) {
        return new ObjectStoreSettings(bucket, prefixes, endpoint, region, pathStyle, startAfter, endBefore,
                maxBatchLines, maxBatchBytes, maxBatchObjects, maxLineBytes, rangeBytes, scanIntervalMillis,
                maxAttempts);
    }

    /** An S3-compatible store at {@code endpoint}, addressed path-style. */
    public ObjectStoreSettings withEndpoint(String endpoint, String region) {
        return new ObjectStoreSettings(bucket, prefixes, endpoint, region, true, startAfter, endBefore, maxBatchLines,
                maxBatchBytes, maxBatchObjects, maxLineBytes, rangeBytes, scanIntervalMillis, maxAttempts);
    }

    public ObjectStoreSettings withBatchLimits(int lines, int bytes, int objects) {
        return new ObjectStoreSettings(bucket, prefixes, endpoint, region, pathStyle, startAfter, endBefore, lines,
                bytes, objects, maxLineBytes, rangeBytes, scanIntervalMillis, maxAttempts);
    }

    public ObjectStoreSettings withRangeBytes(int bytes) {
        return new ObjectStoreSettings(bucket, prefixes, endpoint, region, pathStyle, startAfter, endBefore,
                maxBatchLines, maxBatchBytes, maxBatchObjects, maxLineBytes, bytes, scanIntervalMillis, maxAttempts);
    }

    public ObjectStoreSettings withScanIntervalMillis(long millis) {
        return new ObjectStoreSettings(bucket, prefixes, endpoint, region, pathStyle, startAfter, endBefore,
                maxBatchLines, maxBatchBytes, maxBatchObjects, maxLineBytes, rangeBytes, millis, maxAttempts);
    }

    /** A backfill's range of keys, relative to each prefix (either may be null: no bound). */
    public ObjectStoreSettings withKeyRange(String startAfter, String endBefore) {
        return new ObjectStoreSettings(bucket, prefixes, endpoint, region, pathStyle, startAfter, endBefore,
                maxBatchLines, maxBatchBytes, maxBatchObjects, maxLineBytes, rangeBytes, scanIntervalMillis,
                maxAttempts);
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + ": must be positive, was " + value);
        }
    }

    /** Same as the record's, spelled out so that a field added later must be checked here for secrets. */
    @Override
    public String toString() {
        return "ObjectStoreSettings[bucket=" + bucket + ", prefixes=" + prefixes + ", endpoint=" + endpoint
                + ", region=" + region + ", pathStyle=" + pathStyle + ", startAfter=" + startAfter
                + ", endBefore=" + endBefore + ", maxBatchLines=" + maxBatchLines + ", maxBatchBytes=" + maxBatchBytes
                + ", maxBatchObjects=" + maxBatchObjects + ", maxLineBytes=" + maxLineBytes + ", rangeBytes=" + rangeBytes
                + ", scanIntervalMillis=" + scanIntervalMillis + ", maxAttempts=" + maxAttempts + "]";
    }
}
