package io.tally.spouts.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.storm.shade.net.minidev.json.JSONValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jclouds.blobstore.BlobStore;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * A bucket of many small objects: the spout's metadata stays the same size from the first object to the last, and
 * a watermark deep in the bucket is listed from where it is, not from the start.
 */
class ManyObjectsTest {
    static final int OBJECTS = 50_000;
    static final String BUCKET = "many";
    /** Objects one batch reads at most. */
    static final int PER_BATCH = 40;
    /** Objects read at each end of the bucket. */
    static final int READ = 3 * PER_BATCH;

    static S3ProxyServer server;
    static S3Client s3;
    static final AtomicInteger listings = new AtomicInteger();

    /**
     * The objects are put straight into the server's in-memory store, where an upload would put them: fifty
     * thousand uploads through HTTP take minutes here, and the spout reads them through the S3 API all the same.
     */
    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.startInMemory();
        ObjectStoreSettings settings = ObjectStoreSettings.of(BUCKET).withEndpoint(server.endpoint(), null);
        s3 = ObjectStoreClient.builder(settings).overrideConfiguration(o -> o.addExecutionInterceptor(
                new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        if (context.request() instanceof ListObjectsV2Request) {
                            listings.incrementAndGet();
                        }
                    }
                })).build();
        s3.createBucket(r -> r.bucket(BUCKET));
        BlobStore store = server.blobStore();
        for (int i = 0; i < OBJECTS; i++) {
            store.putBlob(BUCKET, store.blobBuilder("events/" + name(i)).payload(line(i) + "\n").build());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        server.close();
    }

    static String name(int i) {
        return String.format("%05d.jsonl", i);
    }

    static String line(int i) {
        return "{\"messageId\":\"m" + i + "\"}";
    }

    ObjectStoreSettings settings() {
        return ObjectStoreSettings.of(BUCKET).withEndpoint(server.endpoint(), null).withPrefixes(List.of("events/"))
                .withBatchLimits(100_000, 32 << 20, PER_BATCH);
    }

    /** Reads {@code objects} objects on from {@code last}; each batch's metadata size in bytes of JSON. */
    List<Integer> read(ObjectStoreSpout.ObjectEmitter emitter, ObjectsPartition partition, Map<String, Object> last,
            int objects, List<String> payloads, List<Map<String, Object>> metas) {
        List<Integer> sizes = new ArrayList<>();
        Map<String, Object> meta = last;
        while (payloads.size() < objects) {
            ObjectStoreSpoutTest.Batch batch = ObjectStoreSpoutTest.batch(emitter, partition, meta);
            batch.lines().forEach(l -> payloads.add(l.payload()));
            sizes.add(batch.metaJsonBytes());
            meta = batch.meta();
            metas.add(meta);
            if (batch.lines().isEmpty()) {
                break;
            }
        }
        return sizes;
    }

    @Test
    void metadataStaysSmallFromTheFirstObjectToTheLast() {
        ObjectStoreSettings settings = settings();
        ObjectsPartition partition = ObjectStoreSpoutTest.partition(settings, 0);
        String coordinatorMeta = JSONValue.toJSONString(
                new ObjectStoreSpout.PrefixCoordinator(settings).getPartitionsForBatch());
        ObjectStoreSpout.ObjectEmitter emitter = new ObjectStoreSpout.ObjectEmitter(settings,
                new ObjectStoreClient(s3, BUCKET, settings.rangeBytes()), null, Map.of());
        List<String> first = new ArrayList<>();
        List<Map<String, Object>> firstMetas = new ArrayList<>();
        List<Integer> firstSizes = read(emitter, partition, null, READ, first, firstMetas);
        assertThat(first).containsExactlyElementsOf(range(0, READ));

        // Far into the bucket: the metadata of a batch after all but the last READ objects were read.
        Map<String, Object> deep = Map.of(ObjectStoreSpout.WATERMARK, "events/" + name(OBJECTS - READ - 1),
                ObjectStoreSpout.READS, List.of(), ObjectStoreSpout.READ_AT, 0L);
        int listedBefore = listings.get();
        List<String> last = new ArrayList<>();
        List<Map<String, Object>> lastMetas = new ArrayList<>();
        List<Integer> lastSizes = read(emitter, partition, deep, READ, last, lastMetas);
        assertThat(last).containsExactlyElementsOf(range(OBJECTS - READ, OBJECTS));
        // One page from the watermark, and one more asking whether anything followed the last key.
        assertThat(listings.get() - listedBefore).isLessThanOrEqualTo(2);

        // Each full batch names its objects; nothing else is kept, so the last batches weigh what the first did.
        int bound = PER_BATCH * 160;
        assertThat(firstSizes).allSatisfy(size -> assertThat(size).isLessThan(bound));
        assertThat(lastSizes).allSatisfy(size -> assertThat(size).isLessThan(bound));
        assertThat(lastSizes.get(0)).isBetween(firstSizes.get(0) - 100, firstSizes.get(0) + 100);
        assertThat(coordinatorMeta.length()).isLessThan(40);
        Map<String, Object> idle = ObjectStoreSpoutTest.batch(emitter, partition, lastMetas.get(lastMetas.size() - 1))
                .meta();
        assertThat(idle.get(ObjectStoreSpout.WATERMARK)).isEqualTo("events/" + name(OBJECTS - 1));
        assertThat(JSONValue.toJSONString(idle).length()).isLessThan(100);
        emitter.close();
    }

    static List<String> range(int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int i = from; i < to; i++) {
            lines.add(line(i));
        }
        return lines;
    }
}
