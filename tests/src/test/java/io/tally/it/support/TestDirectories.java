package io.tally.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;

/** Directories of the tests' own under {@code target/it-data}, each fresh, removed by the test that made it. */
public final class TestDirectories {
    private TestDirectories() {
    }

    /** A new, empty directory {@code target/it-data/<prefix><random>}. */
    public static Path create(String prefix) {
        try {
            Path base = Files.createDirectories(Paths.get("target", "it-data").toAbsolutePath());
            return Files.createTempDirectory(base, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a test directory under target/it-data", e);
        }
    }

    /** Removes {@code dir} and everything below it. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
