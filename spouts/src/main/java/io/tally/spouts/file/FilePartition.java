package io.tally.spouts.file;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.storm.trident.spout.ISpoutPartition;

/**
 * One file as a spout partition. Its identity is the file's filesystem key (device and inode on Linux), not its
 * name, so a file renamed by log rotation ({@code app.log} → {@code app.log.1}) keeps its progress: nothing is read
 * twice or skipped.
 *
 * @param key the filesystem key, as text
 * @param path where the file was last seen
 * @param seenModifiedMillis the file's modification time when first listed; the receipt time of its first lines
 */
public record FilePartition(String key, Path path, long seenModifiedMillis) implements ISpoutPartition {

    public FilePartition {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(path, "path");
    }

    /** Trident's ZooKeeper node for this file's progress: stable across renames and restarts. */
    @Override
    public String getId() {
        return "file-" + key.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    /** The {@code source} of its records: {@code file:<key>}, stable across renames. */
    public String source() {
        return "file:" + getId().substring("file-".length());
    }

    boolean gzipped() {
        return path.getFileName().toString().endsWith(".gz");
    }

    /** Equal when it is the same file, wherever it is now. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FilePartition other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    /** The coordinator hands partitions to emitters as text: key, path and time, tab-separated. */
    String describe() {
        return key + "\t" + path + "\t" + seenModifiedMillis;
    }

    static FilePartition parse(String description) {
        String[] parts = description.split("\t", 3);
        return new FilePartition(parts[0], Path.of(parts[1]), Long.parseLong(parts[2]));
    }
}
