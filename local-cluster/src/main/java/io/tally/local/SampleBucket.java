package io.tally.local;

import io.tally.local.sample.HourlyExports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedMap;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@code --s3} sample: the bundled sample as Segment-style hourly gzip exports,
 * {@value #PREFIX}{@code <yyyy-mm-dd>/<HH>.gz} by receipt hour, in the bucket {@value #BUCKET} of the local S3
 * server. Uploaded once: a bucket that already holds exports (an earlier run) is left as it is.
 */
final class SampleBucket {
    static final String BUCKET = "tally-sample";
    static final String SOURCE = "sample";
    static final String PREFIX = "segment-logs/" + SOURCE + "/";

    private SampleBucket() {
    }

    static void fill(S3Client s3, List<byte[]> sample, Console console) {
        try {
            int existing = s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(PREFIX).maxKeys(1)).keyCount();
            if (existing > 0) {
                console.done("bucket '" + BUCKET + "' already holds the sample's exports from an earlier run; not"
                        + " uploading them again");
                return;
            }
        } catch (NoSuchBucketException e) {
            s3.createBucket(r -> r.bucket(BUCKET));
        }
        SortedMap<String, List<byte[]>> exports = HourlyExports.byReceiptHour("segment-logs/", SOURCE, sample);
        console.step("Uploading the bundled sample (" + sample.size() + " events) to bucket '" + BUCKET + "' as "
                + exports.size() + " hourly gzip exports (" + exports.firstKey() + " to " + exports.lastKey() + ")");
        HourlyExports.putAll(s3, BUCKET, exports);
    }

    /** Every non-empty line of every export in the bucket, read back with the plain SDK. */
    static void forEachLine(S3Client s3, Consumer<byte[]> line) {
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(PREFIX)).contents()) {
            try (InputStream raw = s3.getObject(r -> r.bucket(BUCKET).key(object.key()));
                    BufferedReader reader = new BufferedReader(new InputStreamReader(
                            object.key().endsWith(".gz") ? new GZIPInputStream(raw) : raw, StandardCharsets.UTF_8))) {
                for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                    if (!text.isEmpty()) {
                        line.accept(text.getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read back s3://" + BUCKET + "/" + object.key(), e);
            }
        }
    }
}
