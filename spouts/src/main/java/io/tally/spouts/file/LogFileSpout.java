package io.tally.spouts.file;

import io.tally.spouts.RawRecordFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.spout.IOpaquePartitionedTridentSpout;
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
 * <p><b>Opaque, not transactional.</b> Each batch's metadata records where in the file the next batch starts;
 * Trident stores it in ZooKeeper when the batch commits, so progress survives restarts. A replayed batch starts
 * from the same place, but may read further than the first attempt if the file grew meanwhile, and a file deleted
 * before a replay cannot be read again: a transactional spout would have to re-emit exactly the same batch and
 * would stall. With Tally's opaque states, every line still counts once.
 *
 * <p>Emits {@link RawRecordFields}: the line without its line end, {@code file:<key>}, the line's byte offset in
 * the (uncompressed) file, and the time its batch was read. On a Storm cluster the directory must be readable by
 * the worker that runs the spout task.
 */
public final class LogFileSpout
        implements IOpaquePartitionedTridentSpout<List<String>, FilePartition, Map<String, Object>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LogFileSpout.class);
    static final String NEXT = "next";
    static final String PATH = "path";

    private final FileSpoutSettings settings;

    public LogFileSpout(FileSpoutSettings settings) {
        this.settings = settings;
    }

    @Override
    public Emitter<List<String>, FilePartition, Map<String, Object>> getEmitter(Map<String, Object> conf,
            TopologyContext context) {
        return new FileEmitter(settings, context);
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
        private final Map<String, LineReader> readers = new HashMap<>();
        private final Set<String> reportedMissing = new HashSet<>();
        private final CountMetric emptyLines;
        private final CountMetric truncatedLines;
        private final CountMetric missingFiles;

        FileEmitter(FileSpoutSettings settings, TopologyContext context) {
            this.settings = settings;
            this.emptyLines = register(context, "tally.files.empty_lines");
            this.truncatedLines = register(context, "tally.files.truncated_lines");
            this.missingFiles = register(context, "tally.files.missing");
        }

        private static CountMetric register(TopologyContext context, String name) {
            CountMetric metric = new CountMetric();
            return context == null ? metric : context.registerMetric(name, metric, 60);
        }

        @Override
        public Map<FilePartition, Map<String, Object>> emitBatchNew(TransactionAttempt tx, TridentCollector collector,
                Set<FilePartition> partitions, Map<FilePartition, Map<String, Object>> lastBatchMetaMap) {
            Map<FilePartition, Map<String, Object>> metas = new HashMap<>();
            for (FilePartition partition : partitions) {
                metas.put(partition, emit(partition, lastBatchMetaMap.get(partition), collector));
            }
            return metas;
        }

        Map<String, Object> emit(FilePartition partition, Map<String, Object> last, TridentCollector collector) {
            long next = last == null ? 0L : ((Number) last.get(NEXT)).longValue();
            long readAt = System.currentTimeMillis();
            Path path = partition.path();
            try {
                long modified = Files.getLastModifiedTime(path).toMillis();
                boolean idle = readAt - modified >= settings.idleTimeoutMillis();
                LineReader reader = readers.computeIfAbsent(partition.getId(),
                        id -> new LineReader(path, partition.gzipped(), settings.maxLineBytes()));
                String source = partition.source();
                LineBatch batch = reader.read(next, settings.maxBatchLines(), settings.maxBatchBytes(), idle,
                        (payload, position) -> collector.emit(new Values(payload, source, position, readAt)));
                emptyLines.incrBy(batch.emptyLines());
                truncatedLines.incrBy(batch.truncated());
                return meta(batch.nextOffset(), path);
            } catch (NoSuchFileException e) {
                if (reportedMissing.add(partition.getId())) {
                    missingFiles.incr();
                    LOG.warn("Log file {} ({}) disappeared after {} bytes were read; what was not read is lost to"
                            + " Tally", path, partition.source(), next);
                }
                closeReader(partition.getId());
                return meta(next, path);
            } catch (IOException e) {
                // The batch fails and is replayed; the file is read again from the same place.
                throw new UncheckedIOException("reading log file " + path + " from byte " + next + " failed", e);
            }
        }

        private static Map<String, Object> meta(long next, Path path) {
            Map<String, Object> meta = new HashMap<>();
            meta.put(NEXT, next);
            meta.put(PATH, path.toString());
            return meta;
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
        }

        @Override
        public List<FilePartition> getOrderedPartitions(List<String> allPartitionInfo) {
            List<FilePartition> partitions = new ArrayList<>(allPartitionInfo.size());
            allPartitionInfo.forEach(description -> partitions.add(FilePartition.parse(description)));
            return partitions;
        }

        private void closeReader(String id) {
            LineReader reader = readers.remove(id);
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException e) {
                    LOG.debug("closing reader of {} failed", id, e);
                }
            }
        }

        @Override
        public void close() {
            new ArrayList<>(readers.keySet()).forEach(this::closeReader);
        }
    }
}
