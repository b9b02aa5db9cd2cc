package io.tally.spouts.file;

import java.util.HashMap;
import java.util.Map;

/**
 * What one batch's metadata says of one file; Trident stores it in ZooKeeper per batch and file, and hands the
 * previous batch's to the next one, or a batch's own to its replay.
 *
 * @param start where the batch started reading (uncompressed bytes)
 * @param next where the next batch starts
 * @param path where the file was read
 * @param readAt the receipt time of the batch's lines
 * @param dataTxid the last transaction that read bytes of the file (-1: none yet)
 * @param generation 0 for the file first given this inode; else when the inode's content was found replaced or
 *     truncated, and reading began again
 * @param fingerprint of the file's first bytes, as read; {@code null} before any
 * @param failures consecutive failed reads
 * @param failedAtMillis when the last one failed
 * @param failedAs the file's size, time and name then: a changed file is tried again from scratch
 */
record FileProgress(long start, long next, String path, long readAt, long dataTxid, long generation,
        Fingerprint fingerprint, int failures, long failedAtMillis, String failedAs) {
    static final String START = "start";
    static final String NEXT = "next";
    static final String PATH = "path";
    static final String READ_AT = "read_at";
    static final String DATA_TXID = "data_txid";
    static final String GENERATION = "generation";
    static final String FINGERPRINT = "fingerprint";
    static final String FAILURES = "failures";
    static final String FAILED_AT = "failed_at";
    static final String FAILED_AS = "failed_as";

    /** Where a new batch continues from, after {@code last} (null: a file never read). */
    static FileProgress after(Map<String, Object> last) {
        if (last == null) {
            return new FileProgress(0, 0, null, 0, -1, 0, null, 0, 0, null);
        }
        long next = number(last, NEXT, 0);
        return new FileProgress(next, next, (String) last.get(PATH), number(last, READ_AT, 0),
                number(last, DATA_TXID, -1), number(last, GENERATION, 0), Fingerprint.parse(last.get(FINGERPRINT)),
                (int) number(last, FAILURES, 0), number(last, FAILED_AT, 0), (String) last.get(FAILED_AS));
    }

    /** A batch's own metadata, for its replay. */
    static FileProgress of(Map<String, Object> meta) {
        FileProgress after = after(meta);
        return new FileProgress(number(meta, START, after.next()), after.next(), after.path(), after.readAt(),
                after.dataTxid(), after.generation(), after.fingerprint(), after.failures(), after.failedAtMillis(),
                after.failedAs());
    }

    /** A batch that read {@code [start, next)} of the file at {@code path}. */
    FileProgress read(long to, String at, long when, long txid, Fingerprint print) {
        return new FileProgress(next, to, at, when, to > next ? txid : dataTxid, generation, print, 0, 0, null);
    }

    /** A batch that read nothing of the file. */
    FileProgress nothing(String at, long when) {
        return new FileProgress(next, next, at, when, dataTxid, generation, fingerprint, failures, failedAtMillis,
                failedAs);
    }

    FileProgress failed(String at, long when, String signature) {
        return new FileProgress(next, next, at, when, dataTxid, generation, fingerprint, failures + 1, when, signature);
    }

    /** Failures forgotten: the file changed since. */
    FileProgress retried() {
        return new FileProgress(start, next, path, readAt, dataTxid, generation, fingerprint, 0, 0, null);
    }

    /** The file's content is not the one read before: read it as a new file, under a new generation. */
    FileProgress restarted(long newGeneration) {
        return new FileProgress(0, 0, path, readAt, dataTxid, newGeneration, null, 0, 0, null);
    }

    Map<String, Object> toMeta() {
        Map<String, Object> meta = new HashMap<>();
        meta.put(START, start);
        meta.put(NEXT, next);
        if (path != null) {
            meta.put(PATH, path);
        }
        meta.put(READ_AT, readAt);
        meta.put(DATA_TXID, dataTxid);
        meta.put(GENERATION, generation);
        if (fingerprint != null) {
            meta.put(FINGERPRINT, fingerprint.describe());
        }
        if (failures > 0) {
            meta.put(FAILURES, failures);
            meta.put(FAILED_AT, failedAtMillis);
            meta.put(FAILED_AS, failedAs);
        }
        return meta;
    }

    private static long number(Map<String, Object> meta, String key, long fallback) {
        Object value = meta.get(key);
        return value == null ? fallback : ((Number) value).longValue();
    }
}
