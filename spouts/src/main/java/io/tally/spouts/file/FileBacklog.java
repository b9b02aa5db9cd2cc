package io.tally.spouts.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The files of a watched directory that committed batches have not yet read to their end, judged from the file
 * spout's committed progress (its metadata per file, as Trident stores it) and each file's size now.
 */
public final class FileBacklog {
    private FileBacklog() {
    }

    /**
     * A file not yet read to its end.
     *
     * @param read bytes (uncompressed) that committed batches have read
     * @param size the file's size now (uncompressed, for gzip as its trailer states it)
     */
    public record PendingFile(Path path, long read, long size) {
    }

    /**
     * @param committed each file's metadata as of the last committed batch, by Trident's partition id
     *     ({@link FilePartition#getId()}); a file without any is unread
     */
    public static List<PendingFile> pending(FileSpoutSettings settings, Map<String, Map<String, Object>> committed) {
        List<PendingFile> pending = new ArrayList<>();
        for (DirectoryListing.Entry entry : DirectoryListing.scan(Path.of(settings.directory()), settings.glob(),
                settings.followLinksOutside()).entries()) {
            FilePartition file = entry.file();
            Map<String, Object> meta = committed.get(file.getId());
            long read = meta == null ? 0 : FileProgress.after(meta).next();
            long size;
            try {
                size = file.gzipped() ? uncompressedSize(file.path()) : entry.size();
            } catch (NoSuchFileException gone) {
                continue; // rotated away or moved to done since the listing
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the size of " + file.path(), e);
            }
            if (read < size) {
                pending.add(new PendingFile(file.path(), read, size));
            }
        }
        return pending;
    }

    /** A gzip file's uncompressed size, from its trailer (modulo 2^32, as gzip keeps it). */
    static long uncompressedSize(Path gzip) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(gzip.toFile(), "r")) {
            if (file.length() < 4) {
                return 0;
            }
            file.seek(file.length() - 4);
            byte[] trailer = new byte[4];
            file.readFully(trailer);
            return (trailer[0] & 0xFFL) | (trailer[1] & 0xFFL) << 8 | (trailer[2] & 0xFFL) << 16
                    | (trailer[3] & 0xFFL) << 24;
        }
    }
}
