package io.tally.spouts.objectstore;

import java.util.Objects;
import org.apache.storm.trident.spout.ISpoutPartition;

/**
 * One prefix of a bucket as a spout partition: its objects are read one after another in key order, and its
 * progress (a watermark key and the one object in progress) is the partition's batch metadata.
 */
record ObjectsPartition(String bucket, String prefix) implements ISpoutPartition {

    ObjectsPartition {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
    }

    /** Trident's ZooKeeper node for this prefix's progress; the hash keeps prefixes apart that read alike. */
    @Override
    public String getId() {
        String readable = (bucket + "-" + prefix).replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return "objects-" + readable + "-" + Integer.toHexString((bucket + "/" + prefix).hashCode());
    }

    /** The coordinator hands partitions to emitters as text: bucket and prefix, tab-separated. */
    String describe() {
        return bucket + "\t" + prefix;
    }

    static ObjectsPartition parse(String description) {
        String[] parts = description.split("\t", 2);
        return new ObjectsPartition(parts[0], parts[1]);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }
}
