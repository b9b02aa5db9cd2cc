package io.tally.spouts.file;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

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
 * @param doneDirectory where completed files are moved; {@code null} (the default) leaves them where they are
 * @param doneAfterIdleMillis a file is complete once it is read to its end, has not changed for this long, and the
 *     batches that read it have committed (default 5 min; at least the idle timeout). A file still being written
 *     after such a pause would be written into the done directory, unread: move only files that are finished
 *     when they go quiet (exports, rotated logs)
 */
public record FileSpoutSettings(String directory, String glob, int maxBatchLines, int maxBatchBytes, int maxLineBytes,
        long idleTimeoutMillis, long scanIntervalMillis, String doneDirectory, long doneAfterIdleMillis)
        implements Serializable {

    public FileSpoutSettings {
        Objects.requireNonNull(directory, "files.directory");
        Objects.requireNonNull(glob, "files.glob");
        positive(maxBatchLines, "files.max_batch_lines");
        positive(maxBatchBytes, "files.max_batch_bytes");
        positive(maxLineBytes, "files.max_line_bytes");
        positive(idleTimeoutMillis, "files.idle_timeout_ms");
        positive(scanIntervalMillis, "files.scan_interval_ms");
        if (doneDirectory != null) {
            if (Path.of(doneDirectory).toAbsolutePath().normalize()
                    .equals(Path.of(directory).toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("files.done_directory: must not be the watched directory itself,"
                        + " was " + doneDirectory);
            }
            if (doneAfterIdleMillis < idleTimeoutMillis) {
                throw new IllegalArgumentException("files.done_after_idle_ms: must be at least files.idle_timeout_ms ("
                        + idleTimeoutMillis + "), was " + doneAfterIdleMillis);
            }
        }
    }

    /** The defaults for a directory and file-name pattern. */
    public static FileSpoutSettings of(String directory, String glob) {
        return new FileSpoutSettings(directory, glob, 100_000, 32 * 1024 * 1024, 1024 * 1024, 5_000, 1_000, null,
                300_000);
    }

    public Optional<Path> done() {
        return Optional.ofNullable(doneDirectory).map(Path::of);
    }

    public FileSpoutSettings withIdleTimeoutMillis(long millis) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, millis,
                scanIntervalMillis, doneDirectory, Math.max(doneAfterIdleMillis, millis));
    }

    public FileSpoutSettings withBatchLimits(int lines, int bytes) {
        return new FileSpoutSettings(directory, glob, lines, bytes, maxLineBytes, idleTimeoutMillis, scanIntervalMillis,
                doneDirectory, doneAfterIdleMillis);
    }

    public FileSpoutSettings withMaxLineBytes(int bytes) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, bytes, idleTimeoutMillis,
                scanIntervalMillis, doneDirectory, doneAfterIdleMillis);
    }

    /** Moves each completed file to {@code directory} once it has been quiet for {@code afterIdleMillis}. */
    public FileSpoutSettings withDoneDirectory(String directory, long afterIdleMillis) {
        return new FileSpoutSettings(this.directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, idleTimeoutMillis,
                scanIntervalMillis, directory, afterIdleMillis);
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + ": must be positive, was " + value);
        }
    }
}
