package io.tally.local.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The sample the local runner loads into Kafka: {@value #RESOURCE}, newline-delimited Segment events
 * (the shape of an hourly export) bundled in this jar. It was written by {@link #main} with the seed
 * below; run that again to regenerate it.
 */
public final class SampleEvents {
    public static final String RESOURCE = "/sample/events.jsonl.gz";
    static final long SEED = 20261116L;
    static final Instant START = Instant.parse("2026-11-16T00:00:00Z");
    static final int HOURS = 72;
    static final int USERS = 2_000;
    static final int COUNT = 20_000;

    private SampleEvents() {
    }

    /** The bundled sample's lines, each one JSON event. */
    public static List<byte[]> load() {
        try (InputStream resource = SampleEvents.class.getResourceAsStream(RESOURCE)) {
            if (resource == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the tally-local jar");
            }
            List<byte[]> lines = new ArrayList<>(COUNT);
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(new GZIPInputStream(resource), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (!line.isEmpty()) {
                        lines.add(line.getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled sample " + RESOURCE, e);
        }
    }

    /** A generator of the bundled sample's events, from the first: its truth, for tests. */
    public static EventGenerator generator() {
        return new EventGenerator(SEED, START, HOURS, USERS);
    }

    /** Writes the sample: {@code SampleEvents <file.jsonl.gz>}. */
    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : "local-cluster/src/main/resources" + RESOURCE);
        Files.createDirectories(target.getParent());
        EventGenerator generator = generator();
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(target))) {
            for (int i = 0; i < COUNT; i++) {
                out.write(generator.next().json());
                out.write('\n');
            }
        }
        System.out.println("Wrote " + COUNT + " events to " + target);
    }
}
