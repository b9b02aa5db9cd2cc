package io.tally.spouts.file;

import java.io.Serializable;
import java.util.Objects;

/**
 * What the log-file spout reads and how much at a time. Every default is here.
 *
 * @param directory the directory watched; on a Storm cluster it must be readable by the worker running the spout
 * @param glob file names read, e.g. {@code *.jsonl} or {@code events-*.json.gz}; {@code .gz} files are gunzipped
 * @param maxBatchLines lines one file adds to one batch at most (default 100,000, like a Kafka poll)
 * @param maxBatchBytes bytes one file adds to one batch at most (default 32 MiB)
 * @param maxLineBytes a longer line is emitted cut to this many bytes plus one, so the parser rejects it as
 *     {@code too_large} without the spout holding it whole (default 1 MiB)
 * @param idleTimeoutMillis a last line without a newline is emitted once the file has not changed for this long
 *     (default 5 s); a gzip file's end ends its last line
 * @param scanIntervalMillis how often the directory is listed for new and renamed files (default 1 s)
 */
public record FileSpoutSettings(String directory, String glob, int maxBatchLines, int maxBatchBytes, int maxLineBytes,
        long idleTimeoutMillis, long scanIntervalMillis) implements Serializable {

    public FileSpoutSettings {
        Objects.requireNonNull(directory, "files.directory");
        Objects.requireNonNull(glob, "files.glob");
        positive(maxBatchLines, "files.max_batch_lines");
        positive(maxBatchBytes, "files.max_batch_bytes");
        positive(maxLineBytes, "files.max_line_bytes");
        positive(idleTimeoutMillis, "files.idle_timeout_ms");
        positive(scanIntervalMillis, "files.scan_interval_ms");
    }

    /** The defaults for a directory and file-name pattern. */
    public static FileSpoutSettings of(String directory, String glob) {
        return new FileSpoutSettings(directory, glob, 100_000, 32 * 1024 * 1024, 1024 * 1024, 5_000, 1_000);
    }

    public FileSpoutSettings withIdleTimeoutMillis(long millis) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, millis,
                scanIntervalMillis);
    }

    public FileSpoutSettings withBatchLimits(int lines, int bytes) {
        return new FileSpoutSettings(directory, glob, lines, bytes, maxLineBytes, idleTimeoutMillis, scanIntervalMillis);
    }

    public FileSpoutSettings withMaxLineBytes(int bytes) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, bytes, idleTimeoutMillis,
                scanIntervalMillis);
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + ": must be positive, was " + value);
        }
    }
}
