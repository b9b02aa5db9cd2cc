package io.tally.spouts.objectstore;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.storm.trident.spout.ISpoutPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open reader of each partition an emitter task holds, kept between batches so that a batch goes on where the
 * last one stopped, and closed when the partition moves to another task or its data is done with.
 */
final class PartitionReaders<R extends Closeable> {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionReaders.class);

    private final Map<String, R> readers = new HashMap<>();

    /** The open reader of {@code partition}, or a new one from {@code open}. */
    R get(ISpoutPartition partition, Function<String, R> open) {
        return readers.computeIfAbsent(partition.getId(), open);
    }

    /** The open reader of {@code partition}, or null. */
    R open(ISpoutPartition partition) {
        return readers.get(partition.getId());
    }

    void close(ISpoutPartition partition) {
        close(partition.getId());
    }

    /** Closes the readers of the partitions this task no longer holds. */
    void retain(List<? extends ISpoutPartition> assigned) {
        Set<String> ids = new HashSet<>();
        assigned.forEach(p -> ids.add(p.getId()));
        for (String id : new ArrayList<>(readers.keySet())) {
            if (!ids.contains(id)) {
                close(id);
            }
        }
    }

    void closeAll() {
        new ArrayList<>(readers.keySet()).forEach(this::close);
    }

    private void close(String id) {
        R reader = readers.remove(id);
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                LOG.debug("closing the reader of {} failed", id, e);
            }
        }
    }
}
