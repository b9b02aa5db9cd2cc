package io.tally.spouts.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/** Wrong credentials, a missing bucket and a store that is down each give one clear sentence, without secrets. */
class ObjectStoreCheckTest {
    @TempDir
    static Path storage;
    static S3ProxyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(storage);
        try (S3Client s3 = ObjectStoreClient.build(settings("present"))) {
            s3.createBucket(r -> r.bucket("present"));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static ObjectStoreSettings settings(String bucket) {
        return ObjectStoreSettings.of(bucket).withEndpoint(server.endpoint(), null);
    }

    @Test
    void aReachableBucketHasNoProblem() {
        assertThat(ObjectStoreCheck.problems(settings("present").withPrefixes(List.of("web/", "ios/")))).isEmpty();
    }

    @Test
    void aMissingBucketIsNamed() {
        assertThat(ObjectStoreCheck.problems(settings("absent"))).containsExactly("Object store bucket 'absent' at "
                + server.endpoint() + ", prefix '': the bucket does not exist");
    }

    @Test
    void wrongCredentialsAreNamedWithoutTheSecret() {
        ObjectStoreSettings settings = settings("present");
        String wrongSecret = "not-the-secret-4711";
        try (S3Client s3 = ObjectStoreClient.builder(settings).credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, wrongSecret))).build()) {
            List<String> problems = ObjectStoreCheck.problems(settings, s3);
            assertThat(problems).singleElement().asString()
                    .startsWith("Object store bucket 'present' at " + server.endpoint() + ", prefix '': the store"
                            + " refused the credentials of the SDK's default chain (SignatureDoesNotMatch)")
                    .doesNotContain(wrongSecret).doesNotContain(S3ProxyServer.SECRET_KEY);
        }
    }

    @Test
    void aStoreThatIsDownIsNamed() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ObjectStoreSettings down = new ObjectStoreSettings("present", List.of(""), "http://127.0.0.1:" + closedPort,
                null, true, null, null, 10, 10, 10, 10, 10, 10, 1);
        assertThat(ObjectStoreCheck.problems(down)).singleElement().asString()
                .startsWith("Object store bucket 'present' at http://127.0.0.1:" + closedPort + ": no answer (")
                .endsWith("is the endpoint right and the store up?");
    }
}
