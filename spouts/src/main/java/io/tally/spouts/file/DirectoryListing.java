package io.tally.spouts.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The files of a directory that match a glob, each with its filesystem key. A regular file is listed; a symbolic
 * link is listed as the file it leads to only when that file is in the directory too (once, with the file), or when
 * links out of the directory are allowed: otherwise anyone who may create a link there could have the worker read any
 * file it can read.
 */
final class DirectoryListing {
    /** A listed file, with what tells whether it changed. */
    record Entry(FilePartition file, long size, long modifiedMillis) {
    }

    /**
     * @param entries the files, sorted by key, each key once
     * @param refusedLinks links in the directory that lead out of it, not followed
     */
    record Listing(List<Entry> entries, List<Path> refusedLinks) {
    }

    private DirectoryListing() {
    }

    /** The files matching {@code glob}, links out of the directory refused. */
    static List<FilePartition> list(Path directory, String glob) {
        return scan(directory, glob, false).entries().stream().map(Entry::file).toList();
    }

    static Listing scan(Path directory, String glob, boolean linksOutside) {
        record Candidate(Entry entry, boolean linked, String name) {
        }
        List<Candidate> candidates = new ArrayList<>();
        List<Path> refused = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, glob)) {
            Path real = directory.toRealPath();
            for (Path path : entries) {
                try {
                    Admitted admitted = admit(path, real, linksOutside);
                    if (admitted.file() != null) {
                        candidates.add(new Candidate(entry(path, admitted.file()), admitted.link(),
                                path.getFileName().toString()));
                    } else if (admitted.link()) {
                        refused.add(path);
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
        // One entry per file: a link to a file listed itself adds nothing, nor does a second name (link) of a file.
        candidates.sort(Comparator.comparing((Candidate c) -> c.entry().file().key())
                .thenComparing(Candidate::linked).thenComparing(Candidate::name));
        List<Entry> files = new ArrayList<>(candidates.size());
        String previous = null;
        for (Candidate candidate : candidates) {
            String key = candidate.entry().file().key();
            if (!key.equals(previous)) {
                files.add(candidate.entry());
                previous = key;
            }
        }
        return new Listing(files, refused);
    }

    /**
     * Where the file with {@code key} is now, under any name in the directory: a file renamed by rotation may no
     * longer match the glob, and a replay must still read it.
     */
    static Optional<Path> find(Path directory, String key, boolean linksOutside) throws IOException {
        return findAll(directory, Set.of(key), linksOutside).stream().map(entry -> entry.file().path()).findFirst();
    }

    /** The files with these keys, under any name in the directory. */
    static List<Entry> findAll(Path directory, Set<String> keys, boolean linksOutside) throws IOException {
        List<Entry> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            Path real = directory.toRealPath();
            for (Path path : entries) {
                try {
                    BasicFileAttributes attributes = admit(path, real, linksOutside).file();
                    if (attributes != null && keys.contains(key(path, attributes))) {
                        found.add(entry(path, attributes));
                    }
                } catch (NoSuchFileException vanished) {
                    // not this one
                }
            }
        }
        return found;
    }

    private static Entry entry(Path path, BasicFileAttributes file) {
        long modified = file.lastModifiedTime().toMillis();
        return new Entry(new FilePartition(key(path, file), path.toAbsolutePath(), modified), file.size(), modified);
    }

    /**
     * What is read at a directory entry.
     *
     * @param file the attributes of the file read there; {@code null} for nothing (a directory, a device, a dangling
     *     link, a link out of the directory)
     * @param link whether the entry is a symbolic link
     */
    record Admitted(BasicFileAttributes file, boolean link) {
    }

    /** What is read at {@code path}: a regular file, or the regular file a link leads to if the policy allows it. */
    static Admitted admit(Path path, Path realDirectory, boolean linksOutside) throws IOException {
        BasicFileAttributes own = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!own.isSymbolicLink()) {
            return new Admitted(own.isRegularFile() ? own : null, false);
        }
        Path target;
        try {
            target = path.toRealPath();
        } catch (NoSuchFileException dangling) {
            return new Admitted(null, true);
        }
        if (!linksOutside && !realDirectory.equals(target.getParent())) {
            return new Admitted(null, true);
        }
        BasicFileAttributes followed = Files.readAttributes(target, BasicFileAttributes.class);
        return new Admitted(followed.isRegularFile() ? followed : null, true);
    }

    static String key(Path path, BasicFileAttributes attributes) {
        Object key = attributes.fileKey();
        return key == null ? path.toAbsolutePath().toString() : key.toString();
    }
}
