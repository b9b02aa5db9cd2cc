package io.tally.spouts.objectstore;

import io.tally.spouts.PartitionedRecordSpout;
import io.tally.spouts.RawRecordFields;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.lines.LineBatch;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.topology.FailedException;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.topology.TransactionAttempt;
import org.apache.storm.tuple.Values;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * A Trident spout over the objects of a bucket under one or more prefixes (newline-delimited JSON exports, plain
 * or {@code .gz}), each object read exactly once, in key order.
 *
 * <p><b>Small metadata.</b> Each prefix is one partition. Its batch metadata is a watermark (the last key read to
 * its end), the one object in progress with its offset, and the byte ranges of the objects this batch read (at most
 * {@code max_batch_objects}); the coordinator's is the list of prefixes. Neither grows with the bucket: keys after
 * the watermark are listed a page at a time when they are needed.
 *
 * <p><b>Transactional.</b> An object's identity is its key, its ETag and (in a versioned bucket) its version id;
 * every GET carries {@code If-Match} on the ETag, and the version id once the store has returned one. A replayed
 * batch re-reads exactly its stored ranges of exactly those versions, with the first attempt's receipt time, so it
 * reads the same bytes or none: a version gone since (overwritten or deleted in an unversioned bucket) is reported
 * (WARN, {@code tally.objects.replay_unreadable}) and its lines of that batch are lost to Tally, as with a log file
 * rewritten before a replay.
 *
 * <p><b>An object changed mid-read</b> (overwritten or deleted after some of it was read; in a versioned bucket
 * only deletion of the version) is reported with a WARN and {@code tally.objects.changed_mid_read} or
 * {@code tally.objects.deleted_mid_read}. Policy: what was read of the old version stays read; the lines of it this
 * batch had read are not emitted (a replay could not read them again); a new version is read from its start as a
 * new object, with its own {@code source}, so its records that the old version also held are dropped as duplicates
 * by {@code messageId}; a deleted object is passed over.
 *
 * <p>Emits {@link RawRecordFields}: the line without its line end, {@code s3:<bucket>/<key>@<etag>[#<version>]},
 * the line's byte offset in the (uncompressed) object, and the time its batch was read.
 */
public final class ObjectStoreSpout
        extends PartitionedRecordSpout<ObjectsPartition, ObjectStoreSettings> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreSpout.class);
    static final String WATERMARK = "watermark";
    static final String CURRENT = "current";
    static final String NEXT = "next";
    static final String READS = "reads";
    static final String START = "start";
    static final String END = "end";
    static final String READ_AT = "read_at";

    public ObjectStoreSpout(ObjectStoreSettings settings) {
        super(settings);
    }

    @Override
    public Emitter<List<String>, ObjectsPartition, Map<String, Object>> getEmitter(Map<String, Object> conf,
            TopologyContext context) {
        return new ObjectEmitter(settings, new ObjectStoreClient(settings), context, conf);
    }

    @Override
    public Coordinator<List<String>> getCoordinator(Map<String, Object> conf, TopologyContext context) {
        return new PrefixCoordinator(settings);
    }

    /** The partitions are the configured prefixes: fixed, so the coordinator never lists the bucket. */
    static final class PrefixCoordinator implements Coordinator<List<String>> {
        private final List<String> partitions;

        PrefixCoordinator(ObjectStoreSettings settings) {
            partitions = settings.prefixes().stream()
                    .map(prefix -> new ObjectsPartition(settings.bucket(), prefix).describe()).toList();
        }

        @Override
        public List<String> getPartitionsForBatch() {
            return partitions;
        }

        @Override
        public boolean isReady(long txid) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** Reads the prefixes assigned to one spout task. */
    static final class ObjectEmitter implements Emitter<List<String>, ObjectsPartition, Map<String, Object>> {
        private final ObjectStoreSettings settings;
        private final ObjectStoreClient client;
        private final Map<String, PrefixListing> listings = new HashMap<>();
        /** The object in progress of each prefix, kept open between batches. */
        private final PartitionReaders<ObjectReader> readers = new PartitionReaders<>();
        final CountMetric objectsRead;
        final CountMetric emptyLines;
        final CountMetric truncatedLines;
        final CountMetric changedMidRead;
        final CountMetric deletedMidRead;
        final CountMetric replayUnreadable;
        private final StoreOutage outage;
        /** The last request the store failed in the batch being emitted, or null. */
        private String failure;

        ObjectEmitter(ObjectStoreSettings settings, ObjectStoreClient client, TopologyContext context,
                Map<String, Object> conf) {
            this.settings = settings;
            this.client = client;
            this.outage = new StoreOutage(settings, System::currentTimeMillis);
            this.objectsRead = SpoutMetrics.register(context, conf, "tally.objects.read", new CountMetric());
            this.emptyLines = SpoutMetrics.register(context, conf, "tally.objects.empty_lines", new CountMetric());
            this.truncatedLines = SpoutMetrics.register(context, conf, "tally.objects.truncated_lines",
                    new CountMetric());
            this.changedMidRead = SpoutMetrics.register(context, conf, "tally.objects.changed_mid_read",
                    new CountMetric());
            this.deletedMidRead = SpoutMetrics.register(context, conf, "tally.objects.deleted_mid_read",
                    new CountMetric());
            this.replayUnreadable = SpoutMetrics.register(context, conf, "tally.objects.replay_unreadable",
                    new CountMetric());
        }

        @Override
        public Map<ObjectsPartition, Map<String, Object>> emitBatchNew(TransactionAttempt tx,
                TridentCollector collector, Set<ObjectsPartition> partitions,
                Map<ObjectsPartition, Map<String, Object>> lastBatchMetaMap) {
            Map<ObjectsPartition, Map<String, Object>> metas = new HashMap<>();
            if (outage.pausing()) {
                // The store failed a moment ago: these batches ask it nothing, rather than fail again at once.
                partitions.forEach(partition -> metas.put(partition, idle(lastBatchMetaMap.get(partition))));
                return metas;
            }
            failure = null;
            for (ObjectsPartition partition : partitions) {
                metas.put(partition, emit(partition, lastBatchMetaMap.get(partition), collector));
            }
            if (failure == null) {
                outage.answered();
            } else {
                outage.failed(failure);
            }
            return metas;
        }

        /**
         * Reads on from where the last batch of the prefix stopped, within the batch limits. A request the store
         * fails (after the SDK's own retries) ends the prefix's batch where it is: what was read before it is
         * emitted and recorded, the next batch asks again, and nothing is skipped. (The batch is not failed: a
         * batch whose emitter throws can leave Trident waiting on it, where an empty one just moves on.)
         */
        Map<String, Object> emit(ObjectsPartition partition, Map<String, Object> last, TridentCollector collector) {
            long readAt = System.currentTimeMillis();
            String watermark = last == null ? null : (String) last.get(WATERMARK);
            Map<?, ?> currentMeta = last == null ? null : (Map<?, ?>) last.get(CURRENT);
            StoredObject current = currentMeta == null ? null : StoredObject.fromMeta(currentMeta);
            long next = currentMeta == null ? 0L : ((Number) currentMeta.get(NEXT)).longValue();
            List<Map<String, Object>> reads = new ArrayList<>();
            long linesLeft = settings.maxBatchLines();
            long bytesLeft = settings.maxBatchBytes();
            PrefixListing listing = listings.computeIfAbsent(partition.getId(), id -> new PrefixListing(client,
                    partition.prefix(), settings.startAfter(), settings.endBefore(), settings.scanIntervalMillis(),
                    System::currentTimeMillis));
            Set<String> touched = new HashSet<>();
            while (linesLeft > 0 && bytesLeft > 0) {
                try {
                    if (current == null) {
                        if (touched.size() >= settings.maxBatchObjects()) {
                            break;
                        }
                        StoredObject listed = listing(listing, partition, watermark);
                        if (listed == null) {
                            break;
                        }
                        current = listed.etag() == null ? head(partition, listed) : listed;
                        next = 0;
                        if (listed.key().endsWith("/") || current != null && current.size() == 0) {
                            // A folder marker, or an empty object: nothing to read.
                            watermark = listed.key();
                            current = null;
                            continue;
                        }
                        if (current == null || current.etag() == null) {
                            notThere(listing, partition, listed);
                            current = null;
                            break;
                        }
                    }
                    touched.add(current.key());
                    List<byte[]> payloads = new ArrayList<>();
                    List<Long> positions = new ArrayList<>();
                    ObjectReader reader = reader(partition, current);
                    LineBatch batch;
                    try {
                        // A line longer than a whole batch is still read, once, when it comes first.
                        boolean first = linesLeft == settings.maxBatchLines() && bytesLeft == settings.maxBatchBytes();
                        batch = reader.lines.read(next, (int) linesLeft, bytesLeft, first, (payload, position) -> {
                            payloads.add(payload);
                            positions.add(position);
                        });
                    } catch (ObjectChangedException e) {
                        readers.close(partition);
                        if (e.deleted() && next == 0) {
                            notThere(listing, partition, current);
                            current = null;
                            break;
                        }
                        StoredObject now = changed(partition, current, next, e);
                        if (now == null) {
                            watermark = current.key();
                        }
                        current = now;
                        next = 0;
                        continue;
                    } catch (IOException | SdkException e) {
                        throw new StoreFailure("reading s3 object " + current + " of " + partition + " from byte "
                                + next + " failed: " + e.getMessage(), e);
                    }
                    current = reader.object();
                    String source = current.source(partition.bucket());
                    for (int i = 0; i < payloads.size(); i++) {
                        collector.emit(new Values(payloads.get(i), source, positions.get(i), readAt));
                    }
                    emptyLines.incrBy(batch.emptyLines());
                    truncatedLines.incrBy(batch.truncated());
                    if (batch.nextOffset() > next) {
                        Map<String, Object> read = current.toMeta();
                        read.put(START, next);
                        read.put(END, batch.nextOffset());
                        reads.add(read);
                    }
                    linesLeft -= batch.lines();
                    bytesLeft -= batch.nextOffset() - next;
                    if (batch.reachedEnd()) {
                        readers.close(partition);
                        objectsRead.incr();
                        watermark = current.key();
                        current = null;
                        next = 0;
                    } else if (batch.nextOffset() == next) {
                        break;
                    } else {
                        next = batch.nextOffset();
                    }
                } catch (StoreFailure e) {
                    readers.close(partition);
                    failure = e.getMessage();
                    break;
                }
            }
            Map<String, Object> meta = new HashMap<>();
            meta.put(WATERMARK, watermark);
            if (current != null) {
                Map<String, Object> cursor = current.toMeta();
                cursor.put(NEXT, next);
                meta.put(CURRENT, cursor);
            }
            meta.put(READS, reads);
            meta.put(READ_AT, readAt);
            return meta;
        }

        /** A batch that reads nothing: the prefix stays where the last one left it. */
        private static Map<String, Object> idle(Map<String, Object> last) {
            Map<String, Object> meta = new HashMap<>();
            meta.put(WATERMARK, last == null ? null : last.get(WATERMARK));
            if (last != null && last.get(CURRENT) != null) {
                meta.put(CURRENT, last.get(CURRENT));
            }
            meta.put(READS, List.of());
            meta.put(READ_AT, System.currentTimeMillis());
            return meta;
        }

        private StoredObject listing(PrefixListing listing, ObjectsPartition partition, String watermark) {
            try {
                return listing.next(watermark);
            } catch (SdkException e) {
                throw new StoreFailure("listing " + partition + " after key " + watermark + " failed: "
                        + e.getMessage(), e);
            }
        }

        /**
         * A listed key that is gone before any byte of it was read, or has no version to pin: an upload still in
         * progress (some stores list its temporary file) or an object deleted meanwhile. Nothing of it was read, so
         * nothing is lost, and the watermark stays where it is: a temporary key can sort after the upload's real key,
         * which must still be read when it appears. The batch of the prefix ends; the next lists again.
         */
        private void notThere(PrefixListing listing, ObjectsPartition partition, StoredObject listed) {
            listing.skip(listed.key());
            LOG.debug("S3 object {} of {} was listed but cannot be read (gone, or no ETag yet); not read", listed,
                    partition);
        }

        /** The listed object's current version, for a store whose listing leaves ETags out; null if it is gone. */
        private StoredObject head(ObjectsPartition partition, StoredObject listed) {
            try {
                return client.head(listed.key());
            } catch (SdkException e) {
                throw new StoreFailure("asking for the ETag of s3 object " + listed.key() + " of " + partition
                        + " failed: " + e.getMessage(), e);
            }
        }

        /** Reports a version gone mid-read; the object's current version to read from its start, or null if none. */
        private StoredObject changed(ObjectsPartition partition, StoredObject object, long readTo,
                ObjectChangedException e) {
            StoredObject now;
            try {
                now = e.deleted() ? null : client.head(object.key());
            } catch (SdkException headFailed) {
                throw new StoreFailure("s3 object " + object + " of " + partition + " changed, and asking for its"
                        + " new version failed: " + headFailed.getMessage(), headFailed);
            }
            if (now == null) {
                deletedMidRead.incr();
                LOG.warn("S3 object {} of {} was deleted after {} bytes of it were read; the rest of it is lost to"
                        + " Tally, which goes on with the next key", object, partition, readTo);
            } else {
                changedMidRead.incr();
                LOG.warn("S3 object {} of {} was overwritten after {} bytes of it were read (now ETag {}); the rest"
                        + " of the old version is lost to Tally. The new version is read from its start as a new"
                        + " object: its records with a messageId already counted are dropped as duplicates",
                        object, partition, readTo, now.etag());
            }
            return now;
        }

        /** Re-reads exactly the byte ranges of a batch's first attempt, of the same versions, with its receipt time. */
        @Override
        public void reEmitPartitionBatch(TransactionAttempt tx, TridentCollector collector, ObjectsPartition partition,
                Map<String, Object> meta) {
            if (meta == null || meta.get(READS) == null) {
                return;
            }
            long readAt = ((Number) meta.get(READ_AT)).longValue();
            for (Object entry : (List<?>) meta.get(READS)) {
                Map<?, ?> read = (Map<?, ?>) entry;
                StoredObject object = StoredObject.fromMeta(read);
                long start = ((Number) read.get(START)).longValue();
                long end = ((Number) read.get(END)).longValue();
                String source = object.source(partition.bucket());
                try (ObjectReader reader = new ObjectReader(client, object, settings.maxLineBytes())) {
                    LineBatch batch = reader.lines.read(start, Integer.MAX_VALUE, end - start, true,
                            (payload, position) -> {
                                if (position < end) {
                                    collector.emit(new Values(payload, source, position, readAt));
                                }
                            });
                    if (batch.nextOffset() < end) {
                        throw new IOException("the object ends at byte " + batch.nextOffset() + ", before " + end);
                    }
                } catch (ObjectChangedException e) {
                    replayUnreadable.incr();
                    LOG.warn("Replaying batch {} of {}: {}, so its bytes {} to {} cannot be read again and are lost"
                            + " to Tally", tx, partition, e.getMessage(), start, end);
                } catch (IOException | SdkException e) {
                    FailedException failed = new FailedException("re-reading s3 object " + object + " of " + partition
                            + " from byte " + start + " failed: " + e.getMessage() + "; Trident retries the batch", e);
                    outage.failed(failed.getMessage());
                    throw failed;
                }
            }
            outage.answered();
        }

        private ObjectReader reader(ObjectsPartition partition, StoredObject object) {
            ObjectReader open = readers.open(partition);
            if (open != null && !open.reads(object)) {
                readers.close(partition);
            }
            return readers.get(partition, id -> new ObjectReader(client, object, settings.maxLineBytes()));
        }

        @Override
        public void refreshPartitions(List<ObjectsPartition> partitionResponsibilities) {
            readers.retain(partitionResponsibilities);
            Set<String> assigned = new HashSet<>();
            partitionResponsibilities.forEach(p -> assigned.add(p.getId()));
            listings.keySet().retainAll(assigned);
        }

        @Override
        public List<ObjectsPartition> getOrderedPartitions(List<String> allPartitionInfo) {
            List<ObjectsPartition> partitions = new ArrayList<>(allPartitionInfo.size());
            allPartitionInfo.forEach(description -> partitions.add(ObjectsPartition.parse(description)));
            return partitions;
        }

        @Override
        public void close() {
            readers.closeAll();
            client.close();
        }
    }

    /** A request the store failed, after the SDK's retries: ends the batch of the prefix where it is. */
    private static final class StoreFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The lines of one version of an object, and the version id the store returned for it. */
    static final class ObjectReader implements Closeable {
        final LineReader lines;
        private final StoredObject listed;
        private ObjectStoreClient.RangedStream opened;

        ObjectReader(ObjectStoreClient client, StoredObject object, int maxLineBytes) {
            this.listed = object;
            this.lines = new LineReader(offset -> {
                StoredObject known = opened == null ? listed : opened.object();
                opened = client.openAt(known, offset);
                return opened;
            }, object.gzipped(), maxLineBytes);
        }

        boolean reads(StoredObject object) {
            return listed.key().equals(object.key()) && listed.etag().equals(object.etag());
        }

        /** The version read, with its version id once a GET has returned one. */
        StoredObject object() {
            return opened == null ? listed : opened.object();
        }

        @Override
        public void close() {
            try {
                lines.close();
            } catch (IOException e) {
                LOG.debug("closing the reader of {} failed", listed, e);
            }
        }
    }
}
