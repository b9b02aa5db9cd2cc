package io.tally.spouts.objectstore;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One version of one object: what the spout reads exactly once. Its identity is the key with the ETag (as the
 * store returned it, quotes included) and, where the bucket is versioned, the version id.
 *
 * @param etag {@code null} only as listed by a store whose listing leaves it out; then a HEAD supplies it before
 *     any byte is read
 * @param versionId {@code null} until a GET has returned one (unversioned buckets never do)
 * @param size stored bytes (compressed, for a gzip object)
 */
record StoredObject(String key, String etag, String versionId, long size) {
    private static final String KEY = "key";
    private static final String ETAG = "etag";
    private static final String VERSION = "version";
    private static final String SIZE = "size";

    StoredObject {
        Objects.requireNonNull(key, "key");
    }

    boolean gzipped() {
        return key.endsWith(".gz");
    }

    StoredObject withVersionId(String version) {
        return version == null || version.equals(versionId) ? this : new StoredObject(key, etag, version, size);
    }

    /** The {@code source} of its records: {@code s3:<bucket>/<key>@<etag>}, with {@code #<version id>} if known. */
    String source(String bucket) {
        String bare = etag.startsWith("\"") && etag.endsWith("\"") && etag.length() >= 2
                ? etag.substring(1, etag.length() - 1) : etag;
        return "s3:" + bucket + "/" + key + "@" + bare + (versionId == null ? "" : "#" + versionId);
    }

    /** As batch metadata, which Trident keeps as JSON. */
    Map<String, Object> toMeta() {
        Map<String, Object> meta = new HashMap<>();
        meta.put(KEY, key);
        meta.put(ETAG, etag);
        if (versionId != null) {
            meta.put(VERSION, versionId);
        }
        meta.put(SIZE, size);
        return meta;
    }

    static StoredObject fromMeta(Map<?, ?> meta) {
        return new StoredObject((String) meta.get(KEY), (String) meta.get(ETAG), (String) meta.get(VERSION),
                ((Number) meta.get(SIZE)).longValue());
    }

    @Override
    public String toString() {
        return key + " (ETag " + etag + (versionId == null ? "" : ", version " + versionId) + ")";
    }
}
