package io.tally.spouts.objectstore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Export objects made line by line, each line's record noted as it is written: the truth a spout's output is
 * compared with.
 */
final class Exports {
    /** A record as the spout should emit it. */
    record Line(String source, long position, String payload) {
    }

    /** An object's stored bytes and the records in it, by their uncompressed offsets. */
    record Export(String key, byte[] stored, List<Line> lines) {
    }

    private final ByteArrayOutputStream plain = new ByteArrayOutputStream();
    private final List<Long> positions = new ArrayList<>();
    private final List<String> payloads = new ArrayList<>();

    /** A record terminated by {@code lineEnd} ({@code "\n"}, {@code "\r\n"} or {@code ""} at the very end). */
    Exports line(String payload, String lineEnd) {
        if (!payload.isEmpty()) {
            positions.add((long) plain.size());
            payloads.add(payload);
        }
        plain.writeBytes((payload + lineEnd).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    Exports line(String payload) {
        return line(payload, "\n");
    }

    /**
     * The object as stored under {@code key} ({@code .gz}: compressed), with its records' source: a single-part
     * upload's ETag is the MD5 of its bytes.
     */
    Export build(String bucket, String key) {
        byte[] stored = stored(key);
        String etag;
        try {
            etag = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(stored));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            lines.add(new Line("s3:" + bucket + "/" + key + "@" + etag, positions.get(i), payloads.get(i)));
        }
        return new Export(key, stored, lines);
    }

    private byte[] stored(String key) {
        if (!key.endsWith(".gz")) {
            return plain.toByteArray();
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(plain.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return gz.toByteArray();
    }

    /** {@code count} events of one hour, numbered from {@code first}, of varied length. */
    static Exports events(String hour, int first, int count) {
        Exports exports = new Exports();
        for (int i = first; i < first + count; i++) {
            exports.line("{\"messageId\":\"" + hour + "-" + i + "\",\"event\":\"e" + (i % 3) + "\",\"pad\":\""
                    + "x".repeat(i % 17) + "\"}");
        }
        return exports;
    }
}
