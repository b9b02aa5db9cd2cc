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
 * @param maxBatchLines lines one batch holds at most, all files together (default 100,000, like a Kafka poll); with
 *     several spout tasks each task reads its share
 * @param maxBatchBytes bytes of lines one batch holds at most, all files together (default 32 MiB); a single line
 *     longer than that is still read, alone
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
 * @param maxFilesPerBatch files one batch looks at, at most (default 256): the list of them is stored in ZooKeeper
 *     with every batch, so it must stay small whatever the directory holds; files changed since they were last
 *     looked at come first, the others take turns
 * @param maxReadAttempts consecutive failed reads of one file (unreadable, a gzip cut short) after which it is
 *     skipped until it changes (default 5); failed reads are at least the idle timeout apart
 * @param followLinksOutside whether a symbolic link in the directory may lead to a file outside it (default false:
 *     such links are skipped with a warning, links to files inside the directory are read as those files)
 */
public record FileSpoutSettings(String directory, String glob, int maxBatchLines, int maxBatchBytes, int maxLineBytes,
        long idleTimeoutMillis, long scanIntervalMillis, String doneDirectory, long doneAfterIdleMillis,
        int maxFilesPerBatch, int maxReadAttempts, boolean followLinksOutside)
        implements Serializable {
    static final int DEFAULT_MAX_FILES_PER_BATCH = 256;
    static final int DEFAULT_MAX_READ_ATTEMPTS = 5;

    public FileSpoutSettings {
        Objects.requireNonNull(directory, "files.directory");
        Objects.requireNonNull(glob, "files.glob");
        positive(maxBatchLines, "files.max_batch_lines");
        positive(maxBatchBytes, "files.max_batch_bytes");
        positive(maxLineBytes, "files.max_line_bytes");
        positive(idleTimeoutMillis, "files.idle_timeout_ms");
        positive(scanIntervalMillis, "files.scan_interval_ms");
        positive(maxFilesPerBatch, "files.max_files_per_batch");
        positive(maxReadAttempts, "files.max_read_attempts");
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

    /** The settings of before the file count, read-attempt and link settings, those at their defaults. */
    public FileSpoutSettings(String directory, String glob, int maxBatchLines, int maxBatchBytes, int maxLineBytes,
            long idleTimeoutMillis, long scanIntervalMillis, String doneDirectory, long doneAfterIdleMillis) {
        this(directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, idleTimeoutMillis, scanIntervalMillis,
                doneDirectory, doneAfterIdleMillis, DEFAULT_MAX_FILES_PER_BATCH, DEFAULT_MAX_READ_ATTEMPTS, false);
    }

    /** The defaults for a directory and file-name pattern. */
    public static FileSpoutSettings of(String directory, String glob) {
        return new FileSpoutSettings(directory, glob, 100_000, 32 * 1024 * 1024, 1024 * 1024, 5_000, 1_000, null,
                300_000);
    }

    /** These settings with the file count, read-attempt and link settings given. */
    public FileSpoutSettings withFileLimits(int filesPerBatch, int readAttempts, boolean linksOutside) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, idleTimeoutMillis,
                scanIntervalMillis, doneDirectory, doneAfterIdleMillis, filesPerBatch, readAttempts, linksOutside);
    }

    public FileSpoutSettings withSymlinksOutside(boolean follow) {
        return withFileLimits(maxFilesPerBatch, maxReadAttempts, follow);
    }

    public Optional<Path> done() {
        return Optional.ofNullable(doneDirectory).map(Path::of);
    }

    public FileSpoutSettings withIdleTimeoutMillis(long millis) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, millis,
                scanIntervalMillis, doneDirectory, Math.max(doneAfterIdleMillis, millis), maxFilesPerBatch,
                maxReadAttempts, followLinksOutside);
    }

    public FileSpoutSettings withBatchLimits(int lines, int bytes) {
        return new FileSpoutSettings(directory, glob, lines, bytes, maxLineBytes, idleTimeoutMillis, scanIntervalMillis,
                doneDirectory, doneAfterIdleMillis, maxFilesPerBatch, maxReadAttempts, followLinksOutside);
    }

    public FileSpoutSettings withScanIntervalMillis(long millis) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, idleTimeoutMillis,
                millis, doneDirectory, doneAfterIdleMillis, maxFilesPerBatch, maxReadAttempts, followLinksOutside);
    }

    public FileSpoutSettings withMaxLineBytes(int bytes) {
        return new FileSpoutSettings(directory, glob, maxBatchLines, maxBatchBytes, bytes, idleTimeoutMillis,
                scanIntervalMillis, doneDirectory, doneAfterIdleMillis, maxFilesPerBatch, maxReadAttempts,
                followLinksOutside);
    }

    /** Moves each completed file to {@code directory} once it has been quiet for {@code afterIdleMillis}. */
    public FileSpoutSettings withDoneDirectory(String directory, long afterIdleMillis) {
        return new FileSpoutSettings(this.directory, glob, maxBatchLines, maxBatchBytes, maxLineBytes, idleTimeoutMillis,
                scanIntervalMillis, directory, afterIdleMillis, maxFilesPerBatch, maxReadAttempts, followLinksOutside);
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + ": must be positive, was " + value);
        }
    }
}
