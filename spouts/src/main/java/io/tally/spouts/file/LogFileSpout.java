package io.tally.spouts.file;

import io.tally.spouts.PartitionedRecordSpout;
import io.tally.spouts.RawRecordFields;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.lines.LineBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.storm.Config;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.FailedException;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.topology.TransactionAttempt;
import org.apache.storm.tuple.Values;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Trident spout over the files of a directory that match a glob (newline-delimited JSON exports, application
 * logs; plain or {@code .gz}). Each file is a partition, identified by its filesystem key so that log rotation by
 * rename neither re-reads nor skips lines. New files are picked up, lines appended to a file are read, and a line
 * is emitted only once its newline has arrived (or the file has been idle for the idle timeout).
 *
 * <p><b>Transactional.</b> Each batch's metadata records the byte range it read, from which file and when; Trident
 * stores it in ZooKeeper before the batch is processed, so a replayed batch re-reads exactly the same lines with the
 * same receipt time, even after a restart, however much the file has grown since and wherever it was renamed in the
 * directory. (A recomposed replay could leave opaque state holding counts of lines that are then read again; see the
 * Kafka spout for the argument.) Only a file deleted, truncated or rewritten between a failed batch and its replay
 * cannot be re-read; that is reported, not a crash. {@code docs/log-files.md} states the guarantees and policies.
 *
 * <p>Emits {@link RawRecordFields}: the line without its line end, {@code file:<key>}, the line's byte offset in
 * the (uncompressed) file, and the time its batch was read. On a Storm cluster the directory must be readable by
 * the worker that runs the spout task.
 *
 * <p><b>Done directory.</b> When configured, a file read to its end and quiet for {@code done_after_idle_ms} is
 * moved there, but only once every batch that read it has committed: Trident's coordinator starts batch {@code T}
 * only when fewer than {@code topology.max.spout.pending} batches are uncommitted, and commits in order, so when
 * batch {@code T} is emitted every batch up to {@code T - max.spout.pending} has committed. A moved file can
 * therefore never be needed by a replay.
 */
public final class LogFileSpout
        extends PartitionedRecordSpout<FilePartition, FileSpoutSettings> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LogFileSpout.class);
    static final String START = FileProgress.START;
    static final String NEXT = FileProgress.NEXT;
    /** The signature of a failure that happened before the file was found. */
    private static final String UNLOCATED = "unlocated";
    /** Readers kept open between batches; a file past this many is reopened when read again. */
    private static final int MAX_OPEN_FILES = 64;

    public LogFileSpout(FileSpoutSettings settings) {
        super(settings);
    }

    @Override
    public Emitter<List<String>, FilePartition, Map<String, Object>> getEmitter(Map<String, Object> conf,
            TopologyContext context) {
        Object pending = conf.get(Config.TOPOLOGY_MAX_SPOUT_PENDING);
        return new FileEmitter(settings, pending == null ? 1 : ((Number) pending).intValue(), context, conf);
    }

    @Override
    public Coordinator<List<String>> getCoordinator(Map<String, Object> conf, TopologyContext context) {
        return new DirectoryCoordinator(settings);
    }

    /** Lists the directory at most once per scan interval; names a bounded set of its files for each batch. */
    static final class DirectoryCoordinator implements Coordinator<List<String>> {
        private final FileSpoutSettings settings;
        private final FileWindow window;
        private List<DirectoryListing.Entry> listing = List.of();
        /** Keys of listed files that were renamed to names the glob does not match: they are still read. */
        private final Set<String> followed = new HashSet<>();
        private final Set<Path> reportedLinks = new HashSet<>();
        private long listedAt;
        private boolean missingReported;

        DirectoryCoordinator(FileSpoutSettings settings) {
            this.settings = settings;
            this.window = new FileWindow(settings.maxFilesPerBatch(), settings.maxBatchBytes());
        }

        @Override
        public boolean isReady(long txid) {
            return true;
        }

        @Override
        public List<String> getPartitionsForBatch() {
            long now = System.currentTimeMillis();
            if (now - listedAt >= settings.scanIntervalMillis()) {
                listedAt = now;
                try {
                    DirectoryListing.Listing scanned = DirectoryListing.scan(Path.of(settings.directory()),
                            settings.glob(), settings.followLinksOutside());
                    listing = followRenamed(scanned.entries());
                    for (Path link : scanned.refusedLinks()) {
                        if (reportedLinks.add(link)) {
                            LOG.warn("Log file {} is a symbolic link that leads out of {} (or to no regular file):"
                                    + " not read (files.follow_links_outside is false)", link, settings.directory());
                        }
                    }
                    reportedLinks.retainAll(scanned.refusedLinks());
                    missingReported = false;
                    // A scan slower than the interval must not make every batch wait for another scan.
                    listedAt = System.currentTimeMillis();
                } catch (UncheckedIOException e) {
                    if (!missingReported) {
                        LOG.warn("Cannot list log files: {} (keeps trying every {} ms)", e.getMessage(),
                                settings.scanIntervalMillis());
                        missingReported = true;
                    }
                }
            }
            List<String> files = new ArrayList<>();
            window.choose(listing).forEach(file -> files.add(file.describe()));
            return files;
        }

        /**
         * Adds the files of the previous listing that are now in the directory under a name the glob does not match:
         * rotation renames {@code app.log} to {@code app.log.1}, and lines written before the rename may be unread.
         * They are read until they are deleted (or the coordinator restarts: it then knows only what the glob
         * matches).
         */
        private List<DirectoryListing.Entry> followRenamed(List<DirectoryListing.Entry> scanned) {
            Set<String> wanted = new HashSet<>(followed);
            listing.forEach(entry -> wanted.add(entry.file().key()));
            scanned.forEach(entry -> wanted.remove(entry.file().key()));
            followed.retainAll(wanted);
            if (wanted.isEmpty()) {
                return scanned;
            }
            List<DirectoryListing.Entry> renamed;
            try {
                renamed = DirectoryListing.findAll(Path.of(settings.directory()), wanted, settings.followLinksOutside());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the log directory " + settings.directory(), e);
            }
            Set<String> found = new HashSet<>();
            for (DirectoryListing.Entry entry : renamed) {
                found.add(entry.file().key());
                if (followed.add(entry.file().key())) {
                    LOG.info("Log file {} was renamed to {}, which files.glob ({}) does not match; it is still read,"
                            + " until it is deleted", entry.file().source(), entry.file().path(), settings.glob());
                }
            }
            followed.retainAll(found);
            List<DirectoryListing.Entry> all = new ArrayList<>(scanned);
            all.addAll(renamed);
            all.sort(Comparator.comparing(entry -> entry.file().key()));
            return all;
        }

        @Override
        public void close() {
        }
    }

    /** What one spout task may still add to the batch it is emitting. */
    private static final class Budget {
        private long lines;
        private long bytes;
        private boolean untouched = true;

        Budget(long lines, long bytes) {
            this.lines = lines;
            this.bytes = bytes;
        }

        boolean spent() {
            return lines <= 0 || bytes <= 0;
        }

        void spend(int readLines, long readBytes) {
            lines -= readLines;
            bytes -= readBytes;
            untouched &= readLines == 0 && readBytes == 0;
        }
    }

    /** Reads the files assigned to one spout task. */
    static final class FileEmitter implements Emitter<List<String>, FilePartition, Map<String, Object>> {
        private final FileSpoutSettings settings;
        private final int maxSpoutPending;
        private final int tasks;
        private final Map<String, LineReader> readers = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, LineReader> eldest) {
                if (size() > MAX_OPEN_FILES) {
                    close(eldest.getKey(), eldest.getValue());
                    return true;
                }
                return false;
            }
        };
        private final Set<String> reportedMissing = new HashSet<>();
        private final Set<String> reportedRenamed = new HashSet<>();
        /** Files this task moved to the done directory; the coordinator may list them until its next scan. */
        private final Set<String> moved = new HashSet<>();
        private final Set<String> reportedUnmovable = new HashSet<>();
        /** Failed re-reads of a batch's file, by transaction and file: a replay is retried a bounded number of times. */
        private final TreeMap<Long, Map<String, Integer>> replayFailures = new TreeMap<>();
        /** The directory's real path, resolved once per batch (the directory may itself be a link). */
        private Path realDirectory;
        private final CountMetric emptyLines;
        private final CountMetric truncatedLines;
        private final CountMetric missingFiles;
        private final CountMetric movedFiles;
        private final CountMetric readErrors;
        private final CountMetric skippedFiles;
        private final CountMetric restartedFiles;

        FileEmitter(FileSpoutSettings settings, int maxSpoutPending, TopologyContext context, Map<String, Object> conf) {
            this.settings = settings;
            this.maxSpoutPending = maxSpoutPending;
            this.tasks = context == null ? 1 : context.getComponentTasks(context.getThisComponentId()).size();
            this.emptyLines = SpoutMetrics.register(context, conf, "tally.files.empty_lines", new CountMetric());
            this.truncatedLines = SpoutMetrics.register(context, conf, "tally.files.truncated_lines", new CountMetric());
            this.missingFiles = SpoutMetrics.register(context, conf, "tally.files.missing", new CountMetric());
            this.movedFiles = SpoutMetrics.register(context, conf, "tally.files.moved_to_done", new CountMetric());
            this.readErrors = SpoutMetrics.register(context, conf, "tally.files.read_errors", new CountMetric());
            this.skippedFiles = SpoutMetrics.register(context, conf, "tally.files.skipped", new CountMetric());
            this.restartedFiles = SpoutMetrics.register(context, conf, "tally.files.restarted", new CountMetric());
        }

        /** The batch limits are for the whole batch: each of the spout's tasks reads its share. */
        private Budget budget() {
            return new Budget(Math.max(1, settings.maxBatchLines() / tasks), Math.max(1, settings.maxBatchBytes() / tasks));
        }

        @Override
        public Map<FilePartition, Map<String, Object>> emitBatchNew(TransactionAttempt tx, TridentCollector collector,
                Set<FilePartition> partitions, Map<FilePartition, Map<String, Object>> lastBatchMetaMap) {
            // Each batch starts at another file, so a full batch does not always favour the same files.
            List<FilePartition> order = new ArrayList<>(partitions);
            order.sort(Comparator.comparing(FilePartition::getId));
            if (!order.isEmpty()) {
                Collections.rotate(order, (int) (tx.getTransactionId() % order.size()));
            }
            // A new batch T is emitted only once every batch before T - max.spout.pending has committed.
            replayFailures.headMap(tx.getTransactionId() - maxSpoutPending).clear();
            realDirectory = null;
            Budget budget = budget();
            Map<FilePartition, Map<String, Object>> metas = new HashMap<>();
            for (FilePartition partition : order) {
                metas.put(partition, emit(tx.getTransactionId(), partition, lastBatchMetaMap.get(partition), budget,
                        collector));
            }
            return metas;
        }

        Map<String, Object> emit(long txid, FilePartition partition, Map<String, Object> last,
                TridentCollector collector) {
            return emit(txid, partition, last, budget(), collector);
        }

        private Map<String, Object> emit(long txid, FilePartition partition, Map<String, Object> last, Budget budget,
                TridentCollector collector) {
            FileProgress progress = FileProgress.after(last);
            long readAt = System.currentTimeMillis();
            String id = partition.getId();
            if (moved.contains(id) || budget.spent()) {
                return progress.nothing(progress.path(), readAt).toMeta();
            }
            Path path;
            String signature;
            long modified;
            try {
                path = locate(partition);
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                modified = attributes.lastModifiedTime().toMillis();
                signature = attributes.size() + "/" + modified + "/" + path.getFileName();
            } catch (NoSuchFileException e) {
                return gone(partition, progress, readAt);
            } catch (IOException e) {
                // The directory itself could not be read: no signature tells when to try again, time does.
                if (holdsOff(progress, readAt)) {
                    return progress.nothing(progress.path(), readAt).toMeta();
                }
                return failed(partition, partition.path(), progress, readAt, UNLOCATED, e);
            }
            if (progress.failures() > 0) {
                if (!signature.equals(progress.failedAs())) {
                    progress = progress.retried();
                } else if (holdsOff(progress, readAt)) {
                    return progress.nothing(path.toString(), readAt).toMeta();
                }
            }
            long quiet = readAt - modified;
            List<Values> lines = new ArrayList<>();
            LineBatch batch;
            Fingerprint print;
            long start;
            try {
                LineReader reader = reader(partition, path, progress);
                Fingerprint known = progress.fingerprint();
                boolean replaced = known != null && !known.equals(reader.fingerprint(known.length()));
                long size = reader.size();
                boolean truncated = !gzipped(partition, path, progress) && size < progress.next();
                if (replaced || truncated) {
                    restartedFiles.incr();
                    FileProgress before = progress;
                    progress = progress.restarted(Math.max(readAt, progress.generation() + 1));
                    LOG.warn("Log file {} ({}) was {} after {} bytes were read (copytruncate, or a new file given"
                            + " a deleted file's inode): read again from its start as {}", path, partition.source(
                            before.generation()), truncated ? "truncated" : "replaced", before.next(),
                            partition.source(progress.generation()));
                    known = null;
                }
                print = known != null && (known.length() >= Fingerprint.MAX_BYTES || size <= known.length()) ? known
                        : reader.fingerprint((int) Math.min(size, Fingerprint.MAX_BYTES));
                String source = partition.source(progress.generation());
                start = progress.next();
                batch = reader.read(start, (int) Math.min(Integer.MAX_VALUE, budget.lines), budget.bytes,
                        quiet >= settings.idleTimeoutMillis(), budget.untouched,
                        (payload, position) -> lines.add(new Values(payload, source, position, readAt)));
            } catch (NoSuchFileException e) {
                return gone(partition, progress, readAt);
            } catch (IOException e) {
                return failed(partition, path, progress, readAt, signature, e);
            }
            // Emitted only once the whole read succeeded: a failed read adds nothing to the batch.
            lines.forEach(collector::emit);
            budget.spend(batch.lines(), batch.nextOffset() - start);
            emptyLines.incrBy(batch.emptyLines());
            truncatedLines.incrBy(batch.truncated());
            FileProgress read = progress.read(batch.nextOffset(), path.toString(), readAt, txid, print);
            if (batch.nextOffset() == start && batch.reachedEnd() && quiet >= settings.doneAfterIdleMillis()
                    && txid - read.dataTxid() >= maxSpoutPending) {
                settings.done().ifPresent(done -> moveToDone(partition, path, done));
            }
            return read.toMeta();
        }

        /** A file that failed is skipped after too many failures, and waits between tries. */
        private boolean holdsOff(FileProgress progress, long now) {
            return progress.failures() > 0 && (progress.failures() >= settings.maxReadAttempts()
                    || now - progress.failedAtMillis() < settings.idleTimeoutMillis());
        }

        private Map<String, Object> gone(FilePartition partition, FileProgress progress, long readAt) {
            if (reportedMissing.add(partition.getId())) {
                missingFiles.incr();
                LOG.warn("Log file {} ({}) disappeared after {} bytes were read; what was not read is lost to"
                        + " Tally", partition.path(), partition.source(progress.generation()), progress.next());
            }
            closeReader(partition.getId());
            return progress.nothing(progress.path(), readAt).toMeta();
        }

        /** A failed read adds nothing to the batch; the file is tried again later, and skipped after a few tries. */
        private Map<String, Object> failed(FilePartition partition, Path path, FileProgress progress, long readAt,
                String signature, IOException e) {
            closeReader(partition.getId());
            readErrors.incr();
            FileProgress failed = progress.failed(path.toString(), readAt, signature);
            if (failed.failures() >= settings.maxReadAttempts()) {
                skippedFiles.incr();
                LOG.warn("Log file {} ({}) could not be read {} times in a row, last: {}. It is skipped from byte {}"
                        + " until it changes (size, modification time or name; `touch` it to try again)", path,
                        partition.source(progress.generation()), failed.failures(), e.toString(), progress.next());
            } else {
                LOG.warn("Reading log file {} ({}) from byte {} failed: {}; tried again in {} ms (attempt {} of {})",
                        path, partition.source(progress.generation()), progress.next(), e.toString(),
                        settings.idleTimeoutMillis(), failed.failures(), settings.maxReadAttempts());
            }
            return failed.toMeta();
        }

        /**
         * Where the partition's file is now: the listed path if it still holds that file, else the name the file was
         * renamed to in the directory.
         */
        private Path locate(FilePartition partition) throws IOException {
            Path directory = Path.of(settings.directory());
            Path listed = partition.path();
            if (realDirectory == null) {
                realDirectory = directory.toRealPath();
            }
            try {
                BasicFileAttributes attributes = DirectoryListing.admit(listed, realDirectory,
                        settings.followLinksOutside()).file();
                if (attributes != null && partition.key().equals(DirectoryListing.key(listed, attributes))) {
                    return listed;
                }
            } catch (NoSuchFileException renamedOrGone) {
                // looked for below
            }
            return DirectoryListing.find(directory, partition.key(), settings.followLinksOutside())
                    .orElseThrow(() -> new NoSuchFileException(listed.toString()));
        }

        /** Moves a completed file whose batches have all committed; a file that cannot be moved stays, reported once. */
        private void moveToDone(FilePartition partition, Path from, Path done) {
            try {
                Files.createDirectories(done);
                closeReader(partition.getId());
                Path to = done.resolve(from.getFileName());
                try {
                    Files.move(from, to);
                } catch (FileAlreadyExistsException taken) {
                    to = done.resolve(from.getFileName() + "." + partition.getId());
                    Files.move(from, to);
                }
                moved.add(partition.getId());
                movedFiles.incr();
                LOG.info("Log file {} ({}) is complete and committed; moved to {}", from, partition.source(), to);
            } catch (IOException e) {
                if (reportedUnmovable.add(partition.getId())) {
                    LOG.warn("Log file {} ({}) is complete but cannot be moved to {}: {}; it stays where it is",
                            from, partition.source(), done, e.toString());
                }
            }
        }

        /**
         * Re-reads exactly the lines of a batch's first attempt: its byte range of the same file (found by its key and
         * checked by its fingerprint, wherever it was renamed), with its receipt time and source.
         */
        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector, FilePartition partition,
                Map<String, Object> meta) {
            if (meta == null || !meta.containsKey(START)) {
                return; // the file was not part of this batch
            }
            FileProgress batch = FileProgress.of(meta);
            long start = batch.start();
            long end = batch.next();
            if (start >= end) {
                return;
            }
            String source = partition.source(batch.generation());
            List<Values> lines = new ArrayList<>();
            try {
                Path path = locate(partition);
                warnIfRenamedOutOfTheGlob(partition, path, end);
                LineReader reader = reader(partition, path, batch);
                Fingerprint known = batch.fingerprint();
                if (known != null && !known.equals(reader.fingerprint(known.length()))) {
                    missingFiles.incr();
                    LOG.warn("Replaying batch {} of log file {} ({}): the file was truncated or replaced since, so"
                            + " bytes {} to {} cannot be read again and are lost to Tally", tx, path, source, start, end);
                    return;
                }
                LineBatch read = reader.read(start, Integer.MAX_VALUE, end - start, true, true,
                        (payload, position) -> {
                            if (position < end) {
                                lines.add(new Values(payload, source, position, batch.readAt()));
                            }
                        });
                if (read.nextOffset() < end) {
                    LOG.warn("Replaying batch {} of log file {} ({}): bytes {} to {} were read before, but the file now"
                            + " ends at {}; it was truncated or rewritten, and the lines after that are lost to Tally",
                            tx, path, source, start, end, read.nextOffset());
                }
            } catch (NoSuchFileException e) {
                missingFiles.incr();
                LOG.warn("Replaying batch {} of log file {} ({}): the file is gone, so bytes {} to {} cannot be read"
                        + " again and are lost to Tally", tx, partition.path(), source, start, end);
                closeReader(partition.getId());
                return;
            } catch (IOException e) {
                closeReader(partition.getId());
                readErrors.incr();
                int failures = replayFailures.computeIfAbsent(tx.getTransactionId(), txid -> new HashMap<>())
                        .merge(partition.getId(), 1, Integer::sum);
                if (failures < settings.maxReadAttempts()) {
                    // Nothing partial may go out: the whole batch fails and Trident replays it again.
                    throw new FailedException("re-reading log file " + partition.path() + " from byte " + start
                            + " failed (attempt " + failures + " of " + settings.maxReadAttempts() + ")", e);
                }
                skippedFiles.incr();
                LOG.warn("Replaying batch {} of log file {} ({}): re-reading bytes {} to {} failed {} times, last: {};"
                        + " they are lost to Tally", tx, partition.path(), source, start, end, failures, e.toString());
                return;
            }
            lines.forEach(collector::emit);
        }

        /**
         * A replay after a restart finds a renamed file wherever it is, but the new coordinator lists only what the
         * glob matches: the rest of a file renamed out of it is not read, and the operator must know.
         */
        private void warnIfRenamedOutOfTheGlob(FilePartition partition, Path path, long end) {
            PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + settings.glob());
            if (!path.equals(partition.path()) && !glob.matches(path.getFileName())
                    && reportedRenamed.add(partition.getId())) {
                LOG.warn("Log file {} ({}) was renamed to {}, which files.glob ({}) does not match: this replay reads"
                        + " it, but after a restart what it holds past byte {} is not read. Make the glob match"
                        + " rotated names (e.g. app.log*)", partition.path(), partition.source(), path,
                        settings.glob(), end);
            }
        }

        private static boolean gzipped(FilePartition partition, Path path, FileProgress progress) {
            return partition.gzipped() || path.getFileName().toString().endsWith(".gz")
                    || progress.path() != null && progress.path().endsWith(".gz");
        }

        private LineReader reader(FilePartition partition, Path path, FileProgress progress) {
            LineReader reader = readers.get(partition.getId());
            if (reader != null && !reader.path().equals(path)) {
                closeReader(partition.getId());
                reader = null;
            }
            if (reader == null) {
                reader = new LineReader(path, gzipped(partition, path, progress), settings.maxLineBytes());
                readers.put(partition.getId(), reader);
            }
            return reader;
        }

        @Override
        public void refreshPartitions(List<FilePartition> partitionResponsibilities) {
            Set<String> assigned = new HashSet<>();
            partitionResponsibilities.forEach(p -> assigned.add(p.getId()));
            for (String id : new ArrayList<>(readers.keySet())) {
                if (!assigned.contains(id)) {
                    closeReader(id);
                }
            }
            reportedMissing.retainAll(assigned);
        }

        @Override
        public List<FilePartition> getOrderedPartitions(List<String> allPartitionInfo) {
            Path directory = Path.of(settings.directory()).toAbsolutePath();
            List<FilePartition> partitions = new ArrayList<>(allPartitionInfo.size());
            allPartitionInfo.forEach(description -> partitions.add(FilePartition.parse(description, directory)));
            return partitions;
        }

        /**
         * A file always goes to the same task, whichever other files a batch names: two tasks must never hold one
         * file's progress at once.
         */
        @Override
        public List<FilePartition> getPartitionsForTask(int taskIndex, int numTasks, List<FilePartition> partitions) {
            List<FilePartition> mine = new ArrayList<>();
            for (FilePartition partition : partitions) {
                if (Math.floorMod(partition.getId().hashCode(), numTasks) == taskIndex) {
                    mine.add(partition);
                }
            }
            return mine;
        }

        /** Read errors since last asked (tests; on a cluster, the {@code tally.files.read_errors} metric). */
        long takeReadErrors() {
            return (Long) readErrors.getValueAndReset();
        }

        /** Files skipped since last asked (tests; on a cluster, the {@code tally.files.skipped} metric). */
        long takeSkippedFiles() {
            return (Long) skippedFiles.getValueAndReset();
        }

        private void closeReader(String id) {
            LineReader reader = readers.remove(id);
            if (reader != null) {
                close(id, reader);
            }
        }

        private static void close(String id, LineReader reader) {
            try {
                reader.close();
            } catch (IOException e) {
                LOG.debug("closing reader of {} failed", id, e);
            }
        }

        @Override
        public void close() {
            new ArrayList<>(readers.keySet()).forEach(this::closeReader);
        }
    }
}
