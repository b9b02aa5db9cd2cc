package io.tally.spouts.objectstore;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API server (S3Proxy over jclouds' filesystem or in-memory blob store) on 127.0.0.1, in the test JVM,
 * requiring AWS signatures with a test key pair. The key pair reaches the client the way production credentials do: through the
 * SDK's default credentials chain (here its system properties).
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "tally-test-access";
    static final String SECRET_KEY = "tally-test-secret-0123456789";

    private final S3Proxy proxy;
    private final BlobStoreContext context;

    private S3ProxyServer(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
    }

    /** Objects kept as files under {@code directory}. */
    static S3ProxyServer start(Path directory) throws Exception {
        return start(directory, 0);
    }

    /** As {@link #start(Path)}, on {@code port} (0: a free one); started again there, it serves the same objects. */
    static S3ProxyServer start(Path directory, int port) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toString());
        return start(ContextBuilder.newBuilder("filesystem").overrides(properties).build(BlobStoreContext.class), port);
    }

    /** Objects kept in memory, which the test can also fill directly through {@link #blobStore()}. */
    static S3ProxyServer startInMemory() throws Exception {
        return start(ContextBuilder.newBuilder("transient").build(BlobStoreContext.class), 0);
    }

    private static S3ProxyServer start(BlobStoreContext context, int port) throws Exception {
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return new S3ProxyServer(proxy, context);
    }

    BlobStore blobStore() {
        return context.getBlobStore();
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    int port() {
        return proxy.getPort();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
