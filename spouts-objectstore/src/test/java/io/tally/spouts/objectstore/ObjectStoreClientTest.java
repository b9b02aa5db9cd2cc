package io.tally.spouts.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The requests the spout relies on, against the real S3 API server with the real SDK client. */
class ObjectStoreClientTest {
    @TempDir
    static Path storage;
    static S3ProxyServer server;
    static S3Client s3;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(storage);
        s3 = ObjectStoreClient.build(settings("client-test"));
        s3.createBucket(r -> r.bucket("client-test"));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        server.close();
    }

    static ObjectStoreSettings settings(String bucket) {
        return ObjectStoreSettings.of(bucket).withEndpoint(server.endpoint(), null);
    }

    static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    @Test
    void readsAVersionInRangesPinnedToItsETag() throws Exception {
        byte[] content = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        s3.putObject(r -> r.bucket("client-test").key("ranges.txt"), RequestBody.fromBytes(content));
        // Not closed: it would close the shared client.
        ObjectStoreClient client = new ObjectStoreClient(s3, "client-test", 5);
        {
            StoredObject object = client.head("ranges.txt");
            assertThat(object.etag()).isEqualTo("\"" + md5(content) + "\"");
            assertThat(object.size()).isEqualTo(content.length);

            try (InputStream in = client.openAt(object, 7)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("789abcdefghijklmnopqrstuvwxyz");
            }

            InputStream partly = client.openAt(object, 0);
            assertThat(partly.readNBytes(5)).isEqualTo("01234".getBytes(StandardCharsets.US_ASCII));
            byte[] other = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210".getBytes(StandardCharsets.US_ASCII);
            s3.putObject(r -> r.bucket("client-test").key("ranges.txt"), RequestBody.fromBytes(other));
            // Same length, other bytes: only the ETag tells them apart, and the next range is refused.
            assertThatThrownBy(() -> partly.readNBytes(5)).isInstanceOf(ObjectChangedException.class)
                    .hasMessageContaining("overwritten");
            partly.close();

            s3.deleteObject(r -> r.bucket("client-test").key("ranges.txt"));
            assertThat(client.head("ranges.txt")).isNull();
            assertThatThrownBy(() -> client.openAt(object, 0).read()).isInstanceOf(ObjectChangedException.class)
                    .satisfies(e -> assertThat(((ObjectChangedException) e).deleted()).isTrue());
        }
    }

    @Test
    void listsInKeyOrderAfterAKeyAPageAtATime() throws IOException {
        // Written where the server's filesystem store keeps them: a thousand uploads are slow on a busy machine.
        Path paged = Files.createDirectories(storage.resolve("client-test").resolve("paged"));
        for (int i = 0; i < 1_005; i++) {
            Files.writeString(paged.resolve(String.format("%05d.jsonl", i)), "{}\n");
        }
        s3.putObject(r -> r.bucket("client-test").key("pagez"), RequestBody.fromString("{}\n"));
        ObjectStoreClient client = new ObjectStoreClient(s3, "client-test", 5);
        {
            ObjectStoreClient.Page first = client.list("paged/", null);
            assertThat(first.truncated()).isTrue();
            assertThat(first.objects()).hasSize(1_000);
            assertThat(first.objects().get(0).key()).isEqualTo("paged/00000.jsonl");
            ObjectStoreClient.Page rest = client.list("paged/", "paged/00999.jsonl");
            assertThat(rest.truncated()).isFalse();
            assertThat(rest.objects().stream().map(StoredObject::key).toList())
                    .isEqualTo(List.of("paged/01000.jsonl", "paged/01001.jsonl", "paged/01002.jsonl",
                            "paged/01003.jsonl", "paged/01004.jsonl"));
        }
    }
}
