package io.tally.bench;

import io.tally.local.sample.EventGenerator;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.file.LogFileSpout;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The log-file spout's read path (batches of lines emitted as tuples, as Trident drives it) beside a plain
 * {@link BufferedReader} over the same generated file, in one run, after a warm-up of each.
 */
@Command(name = "tally-file-benchmark", mixinStandardHelpOptions = true,
        description = "Lines/s of the log-file spout's read path versus a plain BufferedReader.")
public final class FileReadBenchmark implements Callable<Integer> {

    @Option(names = "--lines", defaultValue = "1000000", description = "Lines in the file (default: ${DEFAULT-VALUE}).")
    int lines;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FileReadBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("tally-file-bench-");
        Path file = dir.resolve("events.jsonl");
        try {
            EventGenerator generator = new EventGenerator(5L, Instant.parse("2026-11-20T00:00:00Z"), 24, 10_000);
            try (OutputStream out = Files.newOutputStream(file)) {
                for (int i = 0; i < lines; i++) {
                    out.write(generator.next().json());
                    out.write('\n');
                }
            }
            System.out.printf("File: %,d lines, %,d bytes%n", lines, Files.size(file));
            for (int round = 1; round <= 3; round++) {
                double plain = bufferedReader(file);
                double spout = spout(dir);
                System.out.printf("round %d: BufferedReader %,.0f lines/s | spout emit path %,.0f lines/s (%.2f)%n",
                        round, plain, spout, spout / plain);
            }
            return 0;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private double bufferedReader(Path file) throws IOException {
        long start = System.nanoTime();
        long count = 0;
        long bytes = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                bytes += line.length();
                count++;
            }
        }
        check(count, bytes);
        return count / ((System.nanoTime() - start) / 1e9);
    }

    private double spout(Path dir) {
        SpoutDrain.Drained read = SpoutDrain.drain(new LogFileSpout(FileSpoutSettings.of(dir.toString(), "*.jsonl")));
        check(read.lines(), read.bytes());
        return read.linesPerSecond();
    }

    private void check(long count, long unused) {
        if (count != lines) {
            throw new IllegalStateException("read " + count + " lines, wrote " + lines);
        }
    }
}
