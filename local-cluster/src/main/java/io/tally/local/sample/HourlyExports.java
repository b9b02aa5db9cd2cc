package io.tally.local.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Events laid out as Segment's hourly exports to a bucket: one gzip JSON-lines object per source and UTC hour of
 * receipt ({@code receivedAt}), named {@code <prefix><source>/<yyyy-mm-dd>/<HH>.gz}, so that a source's keys sort in
 * time order. Used by the local runner's {@code --s3} sample bucket, the tests and the object-read benchmark.
 */
public final class HourlyExports {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HOUR_PATH = DateTimeFormatter.ofPattern("yyyy-MM-dd/HH")
            .withZone(ZoneOffset.UTC);

    private HourlyExports() {
    }

    /** The key of the export of {@code source} holding what was received at {@code receivedAt}. */
    public static String key(String prefix, String source, Instant receivedAt) {
        return prefix + source + "/" + HOUR_PATH.format(receivedAt) + ".gz";
    }

    /** The lines by the key of their export (keys in order, lines in their order); each needs a {@code receivedAt}. */
    public static SortedMap<String, List<byte[]>> byReceiptHour(String prefix, String source, List<byte[]> lines) {
        SortedMap<String, List<byte[]>> objects = new TreeMap<>();
        for (byte[] line : lines) {
            objects.computeIfAbsent(key(prefix, source, receivedAt(line)), k -> new ArrayList<>()).add(line);
        }
        return objects;
    }

    private static Instant receivedAt(byte[] line) {
        try {
            JsonNode receivedAt = JSON.readTree(line).get("receivedAt");
            if (receivedAt == null || !receivedAt.isTextual()) {
                throw new IllegalArgumentException("an exported event needs a receivedAt: "
                        + new String(line, java.nio.charset.StandardCharsets.UTF_8));
            }
            return Instant.parse(receivedAt.asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines, each ended by a newline, gzip-compressed. */
    public static byte[] gzip(List<byte[]> lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes, 64 * 1024)) {
            for (byte[] line : lines) {
                out.write(line);
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Uploads one export, whole, as an exporter does. */
    public static void put(S3Client s3, String bucket, String key, List<byte[]> lines) {
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(gzip(lines)));
    }

    /** Uploads every export, in key order. */
    public static void putAll(S3Client s3, String bucket, SortedMap<String, List<byte[]>> objects) {
        objects.forEach((key, lines) -> put(s3, bucket, key, lines));
    }
}
