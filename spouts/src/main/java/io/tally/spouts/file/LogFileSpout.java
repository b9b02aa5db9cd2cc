package io.tally.spouts.file;

import io.tally.spouts.RawRecordFields;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.lines.LineBatch;
import io.tally.spouts.lines.LineReader;
import io.tally.spouts.lines.PartitionReaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.storm.Config;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.spout.IPartitionedTridentSpout;
import org.apache.storm.trident.topology.TransactionAttempt;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Trident spout over the files of a directory that match a glob (newline-delimited JSON exports, application
 * logs; plain or {@code .gz}). Each file is a partition, identified by its filesystem key so that log rotation by
 * rename neither re-reads nor skips lines. New files are picked up, lines appended to a file are read, and a line
 * is emitted only once its newline has arrived (or the file has been idle for the idle timeout).
 *
 * <p><b>Transactional.</b> Each batch's metadata records the byte range it read and when; Trident stores it in
 * ZooKeeper before the batch is processed, so a replayed batch re-reads exactly the same lines with the same
 * receipt time, even after a restart, however much the file has grown since. (A recomposed replay could leave
 * opaque state holding counts of lines that are then read again; see the Kafka spout for the argument.) Only a file
 * deleted or rewritten between a failed batch and its replay cannot be re-read; that is reported, not a crash.
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
        implements IPartitionedTridentSpout<List<String>, FilePartition, Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LogFileSpout.class);
    static final String START = "start";
    static final String NEXT = "next";
    static final String PATH = "path";
    static final String READ_AT = "read_at";
    /** The last transaction that read bytes of the file (-1: none yet). */
    static final String DATA_TXID = "data_txid";

    private final FileSpoutSettings settings;

    public LogFileSpout(FileSpoutSettings settings) {
        this.settings = settings;
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

    @Override
    public Map<String, Object> getComponentConfiguration() {
        return null;
    }

    @Override
    public Fields getOutputFields() {
        return RawRecordFields.FIELDS;
    }

    /** Lists the directory for each batch, at most once per scan interval. */
    static final class DirectoryCoordinator implements Coordinator<List<String>> {
        private final FileSpoutSettings settings;
        private List<String> files = List.of();
        private long listedAt;
        private boolean missingReported;

        DirectoryCoordinator(FileSpoutSettings settings) {
            this.settings = settings;
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
                    List<String> listed = new ArrayList<>();
                    DirectoryListing.list(Path.of(settings.directory()), settings.glob())
                            .forEach(file -> listed.add(file.describe()));
                    files = keepFirstSeenTimes(listed);
                    missingReported = false;
                } catch (UncheckedIOException e) {
                    if (!missingReported) {
                        LOG.warn("Cannot list log files: {} (keeps trying every {} ms)", e.getMessage(),
                                settings.scanIntervalMillis());
                        missingReported = true;
                    }
                }
            }
            return files;
        }

        /** A file's description must not change from one listing to the next, or emitters would reset. */
        private List<String> keepFirstSeenTimes(List<String> listed) {
            Map<String, String> previous = new HashMap<>();
            for (String file : files) {
                FilePartition known = FilePartition.parse(file);
                previous.put(known.key() + "\t" + known.path(), file);
            }
            List<String> stable = new ArrayList<>(listed.size());
            for (String file : listed) {
                FilePartition now = FilePartition.parse(file);
                stable.add(previous.getOrDefault(now.key() + "\t" + now.path(), file));
            }
            return stable;
        }

        @Override
        public void close() {
        }
    }

    /** Reads the files assigned to one spout task. */
    static final class FileEmitter implements Emitter<List<String>, FilePartition, Map<String, Object>> {
        private final FileSpoutSettings settings;
        private final int maxSpoutPending;
        private final PartitionReaders<LineReader> readers = new PartitionReaders<>();
        private final Set<String> reportedMissing = new HashSet<>();
        /** Files this task moved to the done directory; the coordinator may list them until its next scan. */
        private final Set<String> moved = new HashSet<>();
        private final Set<String> reportedUnmovable = new HashSet<>();
        private final CountMetric emptyLines;
        private final CountMetric truncatedLines;
        private final CountMetric missingFiles;
        private final CountMetric movedFiles;

        FileEmitter(FileSpoutSettings settings, int maxSpoutPending, TopologyContext context, Map<String, Object> conf) {
            this.settings = settings;
            this.maxSpoutPending = maxSpoutPending;
            this.emptyLines = SpoutMetrics.register(context, conf, "tally.files.empty_lines", new CountMetric());
            this.truncatedLines = SpoutMetrics.register(context, conf, "tally.files.truncated_lines", new CountMetric());
            this.missingFiles = SpoutMetrics.register(context, conf, "tally.files.missing", new CountMetric());
            this.movedFiles = SpoutMetrics.register(context, conf, "tally.files.moved_to_done", new CountMetric());
        }

        @Override
        public Map<FilePartition, Map<String, Object>> emitBatchNew(TransactionAttempt tx, TridentCollector collector,
                Set<FilePartition> partitions, Map<FilePartition, Map<String, Object>> lastBatchMetaMap) {
            Map<FilePartition, Map<String, Object>> metas = new HashMap<>();
            for (FilePartition partition : partitions) {
                metas.put(partition, emit(tx.getTransactionId(), partition, lastBatchMetaMap.get(partition), collector));
            }
            return metas;
        }

        Map<String, Object> emit(long txid, FilePartition partition, Map<String, Object> last,
                TridentCollector collector) {
            long next = last == null ? 0L : ((Number) last.get(NEXT)).longValue();
            long dataTxid = last == null ? -1L : ((Number) last.getOrDefault(DATA_TXID, -1L)).longValue();
            long readAt = System.currentTimeMillis();
            Path path = partition.path();
            if (moved.contains(partition.getId())) {
                return meta(next, next, path, readAt, dataTxid);
            }
            try {
                long quiet = readAt - Files.getLastModifiedTime(path).toMillis();
                boolean idle = quiet >= settings.idleTimeoutMillis();
                LineReader reader = reader(partition);
                String source = partition.source();
                LineBatch batch = reader.read(next, settings.maxBatchLines(), settings.maxBatchBytes(), idle,
                        (payload, position) -> collector.emit(new Values(payload, source, position, readAt)));
                emptyLines.incrBy(batch.emptyLines());
                truncatedLines.incrBy(batch.truncated());
                if (batch.nextOffset() > next) {
                    dataTxid = txid;
                } else if (batch.reachedEnd() && quiet >= settings.doneAfterIdleMillis()
                        && txid - dataTxid >= maxSpoutPending) {
                    settings.done().ifPresent(done -> moveToDone(partition, done));
                }
                return meta(next, batch.nextOffset(), path, readAt, dataTxid);
            } catch (NoSuchFileException e) {
                if (reportedMissing.add(partition.getId())) {
                    missingFiles.incr();
                    LOG.warn("Log file {} ({}) disappeared after {} bytes were read; what was not read is lost to"
                            + " Tally", path, partition.source(), next);
                }
                readers.close(partition);
                return meta(next, next, path, readAt, dataTxid);
            } catch (IOException e) {
                // Nothing is stored for this batch; it fails and is read anew from the same place.
                throw new UncheckedIOException("reading log file " + path + " from byte " + next + " failed", e);
            }
        }

        /** Moves a completed file whose batches have all committed; a file that cannot be moved stays, reported once. */
        private void moveToDone(FilePartition partition, Path done) {
            Path from = partition.path();
            try {
                Files.createDirectories(done);
                readers.close(partition);
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

        /** Re-reads exactly the lines of a batch's first attempt: its byte range, with its receipt time. */
        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector, FilePartition partition,
                Map<String, Object> meta) {
            if (meta == null || !meta.containsKey(START)) {
                return; // the file was not part of this batch
            }
            long start = ((Number) meta.get(START)).longValue();
            long end = ((Number) meta.get(NEXT)).longValue();
            if (start >= end) {
                return;
            }
            long readAt = ((Number) meta.get(READ_AT)).longValue();
            String source = partition.source();
            try {
                LineBatch batch = reader(partition).read(start, settings.maxBatchLines(), settings.maxBatchBytes(), true,
                        (payload, position) -> {
                            if (position < end) {
                                collector.emit(new Values(payload, source, position, readAt));
                            }
                        });
                if (batch.nextOffset() < end) {
                    LOG.warn("Replaying batch {} of log file {} ({}): bytes {} to {} were read before, but the file now"
                            + " ends at {}; it was truncated or rewritten, and the lines after that are lost to Tally",
                            tx, partition.path(), source, start, end, batch.nextOffset());
                }
            } catch (NoSuchFileException e) {
                missingFiles.incr();
                LOG.warn("Replaying batch {} of log file {} ({}): the file is gone, so bytes {} to {} cannot be read"
                        + " again and are lost to Tally", tx, partition.path(), source, start, end);
                readers.close(partition);
            } catch (IOException e) {
                throw new UncheckedIOException("re-reading log file " + partition.path() + " from byte " + start
                        + " failed", e);
            }
        }

        private LineReader reader(FilePartition partition) {
            return readers.get(partition,
                    id -> LineReader.of(partition.path(), partition.gzipped(), settings.maxLineBytes()));
        }

        private static Map<String, Object> meta(long start, long next, Path path, long readAt, long dataTxid) {
            Map<String, Object> meta = new HashMap<>();
            meta.put(DATA_TXID, dataTxid);
            meta.put(START, start);
            meta.put(NEXT, next);
            meta.put(PATH, path.toString());
            meta.put(READ_AT, readAt);
            return meta;
        }

        @Override
        public void refreshPartitions(List<FilePartition> partitionResponsibilities) {
            readers.retain(partitionResponsibilities);
        }

        @Override
        public List<FilePartition> getOrderedPartitions(List<String> allPartitionInfo) {
            List<FilePartition> partitions = new ArrayList<>(allPartitionInfo.size());
            allPartitionInfo.forEach(description -> partitions.add(FilePartition.parse(description)));
            return partitions;
        }

        @Override
        public void close() {
            readers.closeAll();
        }
    }
}
