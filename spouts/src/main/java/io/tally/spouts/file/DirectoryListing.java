package io.tally.spouts.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The regular files of a directory that match a glob, each with its filesystem key. */
final class DirectoryListing {
    private DirectoryListing() {
    }

    static List<FilePartition> list(Path directory, String glob) {
        List<FilePartition> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, glob)) {
            for (Path path : entries) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                    if (attributes.isRegularFile()) {
                        Object key = attributes.fileKey();
                        files.add(new FilePartition(key == null ? path.toAbsolutePath().toString() : key.toString(),
                                path.toAbsolutePath(), attributes.lastModifiedTime().toMillis()));
                    }
                } catch (NoSuchFileException vanished) {
                    // Deleted or rotated away between listing and reading its attributes: listed next time.
                }
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("the log directory " + directory + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the log directory " + directory, e);
        }
        files.sort(Comparator.comparing(FilePartition::key));
        return files;
    }
}
