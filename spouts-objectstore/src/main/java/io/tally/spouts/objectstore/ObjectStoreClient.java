package io.tally.spouts.objectstore;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The few S3 requests the spout makes, on the SDK's synchronous client: a paged listing in key order, a HEAD, and
 * ranged GETs that each carry {@code If-Match} on the ETag being read (and the version id once known), so bytes of
 * any other version are never returned.
 */
final class ObjectStoreClient implements AutoCloseable {
    /** A listing page: keys in order, and whether more keys follow. */
    record Page(List<StoredObject> objects, boolean truncated) {
    }

    private static final int PAGE_KEYS = 1000;

    private final S3Client s3;
    private final String bucket;
    private final int rangeBytes;

    ObjectStoreClient(ObjectStoreSettings settings) {
        this(build(settings), settings.bucket(), settings.rangeBytes());
    }

    ObjectStoreClient(S3Client s3, String bucket, int rangeBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.rangeBytes = rangeBytes;
    }

    /**
     * A client with the SDK's default credentials chain. Checksums are computed and checked only where the API
     * requires them: several S3-compatible stores refuse the newer checksum headers, and every GET here is already
     * pinned to one version by its ETag.
     */
    static S3Client build(ObjectStoreSettings settings) {
        return builder(settings).build();
    }

    static S3ClientBuilder builder(ObjectStoreSettings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(ApacheHttpClient.builder())
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(settings.maxAttempts())));
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        if (settings.region() != null) {
            builder.region(Region.of(settings.region()));
        } else if (settings.endpoint() != null) {
            builder.region(Region.US_EAST_1);
        }
        return builder;
    }

    String bucket() {
        return bucket;
    }

    /** Up to a page of the objects under {@code prefix} whose keys sort after {@code startAfter} (null: all). */
    Page list(String prefix, String startAfter) {
        ListObjectsV2Response page = s3.listObjectsV2(r -> {
            r.bucket(bucket).maxKeys(PAGE_KEYS);
            if (!prefix.isEmpty()) {
                r.prefix(prefix);
            }
            if (startAfter != null) {
                r.startAfter(startAfter);
            }
        });
        List<StoredObject> objects = new ArrayList<>(page.contents().size());
        for (S3Object object : page.contents()) {
            objects.add(new StoredObject(object.key(), object.eTag(), null, object.size()));
        }
        return new Page(objects, Boolean.TRUE.equals(page.isTruncated()));
    }

    /** The object's current version, or null if there is none. */
    StoredObject head(String key) {
        try {
            HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key));
            return new StoredObject(key, head.eTag(), head.versionId(), head.contentLength());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** The stored bytes of {@code object} from {@code offset}, fetched a range at a time. */
    RangedStream openAt(StoredObject object, long offset) {
        return new RangedStream(object, offset);
    }

    @Override
    public void close() {
        s3.close();
    }

    /**
     * Reads one version of an object from an offset to its end as consecutive ranged GETs with {@code If-Match}.
     * A version that is gone when the next range is asked for ends the stream with {@link ObjectChangedException}.
     */
    final class RangedStream extends InputStream {
        private StoredObject object;
        private long position;
        private ResponseInputStream<GetObjectResponse> range;
        private long rangeLeft;

        private RangedStream(StoredObject object, long offset) {
            this.object = object;
            this.position = offset;
        }

        /** The version read, with the version id the store returned, if any. */
        StoredObject object() {
            return object;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position >= object.size()) {
                return -1;
            }
            if (rangeLeft == 0) {
                nextRange();
            }
            int read = range.read(into, off, (int) Math.min(len, rangeLeft));
            if (read < 0) {
                throw new IOException("s3 object " + object + ": the range from byte " + position + " ended "
                        + rangeLeft + " bytes early");
            }
            position += read;
            rangeLeft -= read;
            return read;
        }

        private void nextRange() throws IOException {
            releaseRange(false);
            long last = Math.min(position + rangeBytes, object.size()) - 1;
            GetObjectRequest.Builder get = GetObjectRequest.builder().bucket(bucket).key(object.key())
                    .ifMatch(object.etag()).range("bytes=" + position + "-" + last);
            if (object.versionId() != null) {
                get.versionId(object.versionId());
            }
            try {
                range = s3.getObject(get.build());
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    throw new ObjectChangedException(object, false);
                }
                if (e.statusCode() == 404) {
                    throw new ObjectChangedException(object, true);
                }
                throw e;
            }
            object = object.withVersionId(range.response().versionId());
            rangeLeft = last - position + 1;
        }

        /** A range not read to its end is aborted: closing it would read its rest only to reuse the connection. */
        private void releaseRange(boolean abort) throws IOException {
            if (range != null) {
                if (abort && rangeLeft > 0) {
                    range.abort();
                }
                range.close();
                range = null;
                rangeLeft = 0;
            }
        }

        @Override
        public void close() throws IOException {
            releaseRange(true);
        }
    }
}
