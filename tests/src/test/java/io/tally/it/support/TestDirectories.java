package io.tally.it.support;

import io.tally.local.sample.GeneratedEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;

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

    /** Writes {@code events} to {@code file}, one JSON line each, as a log file holds them. */
    public static void writeEvents(Path file, List<GeneratedEvent> events) throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (GeneratedEvent event : events) {
            lines.write(event.json());
            lines.write('\n');
        }
        Files.write(file, lines.toByteArray());
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
