package io.tally.bench;

import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.HourlyExports;
import io.tally.local.server.S3Server;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.spouts.objectstore.ObjectStoreSpout;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The object-store spout's read path (batches of lines emitted as tuples, as Trident drives it, every GET ranged and
 * pinned to the object's ETag) beside a plain loop over the same hourly gzip exports on the same local S3 API server:
 * ranged GETs of the same size, one after another, gunzipped and split into lines by a {@link BufferedReader}. Both
 * run in one process, in turns, after a warm-up round.
 */
@Command(name = "tally-object-benchmark", mixinStandardHelpOptions = true,
        description = "Lines/s of the object-store spout's read path versus a plain loop of ranged GET + gunzip +"
                + " line split, over the same objects on the same local S3 server.")
public final class ObjectReadBenchmark implements Callable<Integer> {
    private static final String BUCKET = "bench";
    private static final String PREFIX = "segment-logs/";
    private static final String SOURCE = "web";

    @Option(names = "--objects", defaultValue = "24", description = "Hourly exports (default: ${DEFAULT-VALUE}).")
    int objects;

    @Option(names = "--lines", defaultValue = "20000", description = "Lines per export (default: ${DEFAULT-VALUE}).")
    int linesPerObject;

    @Option(names = "--rounds", defaultValue = "4", description = "Rounds, the first a warm-up (default: ${DEFAULT-VALUE}).")
    int rounds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ObjectReadBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("tally-object-bench-");
        S3Server server = S3Server.start(dir.resolve("s3"), 0);
        try (S3Client s3 = server.client()) {
            S3Server.useCredentialsInThisJvm();
            long stored = upload(s3);
            ObjectStoreSettings settings = ObjectStoreSettings.of(BUCKET).withPrefixes(List.of(PREFIX + SOURCE + "/"))
                    .withEndpoint(server.endpoint(), null);
            System.out.printf("%d exports, %,d lines, %,d bytes stored (gzip); GETs of %,d bytes%n", objects,
                    (long) objects * linesPerObject, stored, settings.rangeBytes());
            List<Double> ratios = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                double plain = plainLoop(s3, settings);
                double spout = spout(settings);
                System.out.printf("round %d%s: plain ranged GET + gunzip + lines %,.0f lines/s | spout read path"
                        + " %,.0f lines/s (%.2f)%n", round, round == 0 ? " (warm-up)" : "", plain, spout, spout / plain);
                if (round > 0) {
                    ratios.add(spout / plain);
                }
            }
            ratios.sort(Comparator.naturalOrder());
            System.out.printf("spout / plain after warm-up: median %.2f (min %.2f, max %.2f)%n",
                    ratios.get(ratios.size() / 2), ratios.get(0), ratios.get(ratios.size() - 1));
            return 0;
        } finally {
            server.stop();
            try (var files = Files.walk(dir)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private long upload(S3Client s3) {
        s3.createBucket(r -> r.bucket(BUCKET));
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        EventGenerator generator = new EventGenerator(8L, start, objects, 10_000);
        long stored = 0;
        for (int hour = 0; hour < objects; hour++) {
            List<byte[]> lines = new ArrayList<>(linesPerObject);
            for (int i = 0; i < linesPerObject; i++) {
                lines.add(generator.next().json());
            }
            String key = HourlyExports.key(PREFIX, SOURCE, start.plus(Duration.ofHours(hour)));
            HourlyExports.put(s3, BUCKET, key, lines);
            stored += s3.headObject(r -> r.bucket(BUCKET).key(key)).contentLength();
        }
        return stored;
    }

    /** Each object by ranged GETs of the spout's range size, gunzipped, split into lines. */
    private double plainLoop(S3Client s3, ObjectStoreSettings settings) throws IOException {
        long start = System.nanoTime();
        long lines = 0;
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(settings.prefixes().get(0)))
                .contents()) {
            if (object.size() == 0 || object.key().endsWith("/")) {
                continue; // a folder marker, which the spout passes over too
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                    ranges(s3, object, settings.rangeBytes()), 64 * 1024), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines += line.isEmpty() ? 0 : 1;
                }
            }
        }
        return rate(lines, start);
    }

    private static InputStream ranges(S3Client s3, S3Object object, int rangeBytes) {
        return new SequenceInputStream(new Enumeration<InputStream>() {
            private long next;

            @Override
            public boolean hasMoreElements() {
                return next < object.size();
            }

            @Override
            public InputStream nextElement() {
                long last = Math.min(next + rangeBytes, object.size()) - 1;
                String range = "bytes=" + next + "-" + last;
                next = last + 1;
                return s3.getObject(r -> r.bucket(BUCKET).key(object.key()).range(range));
            }
        });
    }

    /** The spout's emitter, batch after batch as Trident asks, until a batch reads nothing. */
    private double spout(ObjectStoreSettings settings) {
        SpoutDrain.Drained read = SpoutDrain.drain(new ObjectStoreSpout(settings));
        check(read.lines());
        return read.linesPerSecond();
    }

    private double rate(long lines, long startNanos) {
        check(lines);
        return lines / ((System.nanoTime() - startNanos) / 1e9);
    }

    private void check(long lines) {
        if (lines != (long) objects * linesPerObject) {
            throw new IllegalStateException("read " + lines + " lines of " + (long) objects * linesPerObject);
        }
    }
}
