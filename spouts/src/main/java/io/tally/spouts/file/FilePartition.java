package io.tally.spouts.file;

import java.nio.file.Path;
import java.util.Objects;
import org.apache.storm.trident.spout.ISpoutPartition;

/**
 * One file as a spout partition. Its identity is the file's filesystem key (device and inode on Linux), not its
 * name, so a file renamed by log rotation ({@code app.log} → {@code app.log.1}) keeps its progress: nothing is read
 * twice or skipped. An inode reused by a later file is told apart by the file's {@link Fingerprint}, kept with the
 * progress; the later file is a new generation of the partition, with its own {@link #source(long) source}.
 *
 * @param key the filesystem key, as text
 * @param path where the file was last seen: in the watched directory
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

    /** The {@code source} of its first generation's records: {@code file:<key>}, stable across renames. */
    public String source() {
        return source(0);
    }

    /**
     * The {@code source} of a generation's records: a file that took over the inode of a deleted one, or the same
     * file truncated and written anew, must not repeat the positions of the lines before it under the same source.
     */
    public String source(long generation) {
        String first = "file:" + getId().substring("file-".length());
        return generation == 0 ? first : first + "/" + generation;
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

    /**
     * The coordinator hands partitions to emitters as text, stored in ZooKeeper with each batch: key, time and the
     * file's name in the directory, tab-separated, the name last so that any name (a TAB in it too) reads back whole.
     */
    String describe() {
        return key + "\t" + seenModifiedMillis + "\t" + path.getFileName();
    }

    /** Reads {@link #describe()}, and the key, path and time of batches stored before names came last. */
    static FilePartition parse(String description, Path directory) {
        int first = description.indexOf('\t');
        int second = description.indexOf('\t', first + 1);
        String key = description.substring(0, first);
        String middle = description.substring(first + 1, second);
        if (!middle.isEmpty() && middle.chars().allMatch(Character::isDigit)) {
            return new FilePartition(key, directory.resolve(description.substring(second + 1)), Long.parseLong(middle));
        }
        int last = description.lastIndexOf('\t');
        return new FilePartition(key, Path.of(description.substring(first + 1, last)),
                Long.parseLong(description.substring(last + 1)));
    }
}
