package io.tally.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** What the runner expects from a log directory: its non-empty lines, counted independently of the spout. */
final class LogDirectory {
    private LogDirectory() {
    }

    static long countLines(Path dir) throws IOException {
        long lines = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{jsonl,json,log}{,.gz}")) {
            for (Path file : files) {
                try (InputStream raw = Files.newInputStream(file);
                        BufferedReader reader = new BufferedReader(new InputStreamReader(
                                file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw,
                                StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        lines += line.isEmpty() ? 0 : 1;
                    }
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return lines;
    }
}
