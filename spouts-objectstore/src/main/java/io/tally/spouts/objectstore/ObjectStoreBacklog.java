package io.tally.spouts.objectstore;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * How far committed batches have read the objects under the configured prefixes, judged from the object-store
 * spout's committed metadata (per prefix, the watermark key and the object in progress, as Trident stores it) and a
 * listing of the store now. The object-store counterpart of the file source's backlog.
 */
public final class ObjectStoreBacklog {
    private ObjectStoreBacklog() {
    }

    /**
     * Objects and stored bytes under the prefixes (within the configured key range) against those read.
     *
     * @param objectsListed objects under the prefixes, folder markers (keys ending in {@code /}) left out
     * @param objectsRead objects read to their end by committed batches (an empty object counts as read once
     *     passed)
     * @param bytesRead stored bytes of the objects read to their end, and of the plain object in progress the bytes
     *     read so far (a gzip object in progress counts only when read to its end: its offset is in uncompressed
     *     bytes)
     */
    public record Progress(long objectsListed, long objectsRead, long bytesListed, long bytesRead) {
        /** Every listed object read to its end. */
        public boolean readToEnd() {
            return objectsRead >= objectsListed;
        }
    }

    /**
     * @param committed each prefix's metadata as of the last committed batch, by Trident's partition id; a prefix
     *     without any is unread
     */
    public static Progress progress(ObjectStoreSettings settings, Map<String, Map<String, Object>> committed) {
        try (ObjectStoreClient client = new ObjectStoreClient(settings)) {
            return progress(client, settings, committed);
        } catch (SdkException e) {
            // Said as the submission check says it (bucket, endpoint, what to fix), never with credentials.
            List<String> problems = ObjectStoreCheck.problems(settings);
            throw new IllegalStateException(problems.isEmpty()
                    ? ObjectStoreCheck.where(settings) + ": listing the prefixes failed: " + e.getMessage()
                    : String.join("; ", problems), e);
        }
    }

    static Progress progress(ObjectStoreClient client, ObjectStoreSettings settings,
            Map<String, Map<String, Object>> committed) {
        long listed = 0;
        long read = 0;
        long bytesListed = 0;
        long bytesRead = 0;
        for (String prefix : settings.prefixes()) {
            Map<String, Object> meta = committed.get(new ObjectsPartition(settings.bucket(), prefix).getId());
            String watermark = meta == null ? null : (String) meta.get(ObjectStoreSpout.WATERMARK);
            Map<?, ?> current = meta == null ? null : (Map<?, ?>) meta.get(ObjectStoreSpout.CURRENT);
            String currentKey = current == null ? null : StoredObject.fromMeta(current).key();
            long currentNext = current == null ? 0 : ((Number) current.get(ObjectStoreSpout.NEXT)).longValue();
            String endBefore = settings.endBefore() == null ? null : prefix + settings.endBefore();
            String after = settings.startAfter() == null ? null : prefix + settings.startAfter();
            boolean more = true;
            while (more) {
                ObjectStoreClient.Page page = client.list(prefix, after);
                List<StoredObject> objects = page.objects();
                more = page.truncated() && !objects.isEmpty();
                for (StoredObject object : objects) {
                    if (endBefore != null && PrefixListing.compareKeys(object.key(), endBefore) >= 0) {
                        more = false;
                        break;
                    }
                    after = object.key();
                    if (object.key().endsWith("/")) {
                        continue; // a folder marker: passed over by the spout, nothing to read
                    }
                    listed++;
                    bytesListed += object.size();
                    if (watermark != null && PrefixListing.compareKeys(object.key(), watermark) <= 0) {
                        read++;
                        bytesRead += object.size();
                    } else if (object.key().equals(currentKey) && !object.gzipped()) {
                        bytesRead += Math.min(currentNext, object.size());
                    }
                }
            }
        }
        return new Progress(listed, read, bytesListed, bytesRead);
    }
}
