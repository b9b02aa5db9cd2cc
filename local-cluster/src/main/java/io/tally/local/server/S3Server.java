package io.tally.local.server;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server, S3Proxy ({@code org.gaul:s3proxy} from Maven Central) over jclouds' filesystem store, in its
 * own JVM on 127.0.0.1. It checks AWS signatures against one local key pair, which a client of this JVM or of a child
 * JVM takes through the AWS SDK's default credentials chain ({@link #useCredentialsInThisJvm()},
 * {@link #credentialsEnvironment()}), as production workers take theirs. Objects are files under the data
 * directory, so a restart keeps every bucket, object and ETag.
 */
public final class S3Server extends ServerProcess {
    private static final String CLASSPATH = "/META-INF/tally/s3proxy-server.classpath";
    /** A key pair for this loopback server only: it guards nothing but the local test data. */
    public static final String ACCESS_KEY = "tally-local-access";
    public static final String SECRET_KEY = "tally-local-secret-0123456789";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final int port;

    private S3Server(ChildJvm jvm, Path dataDir, int port) {
        super(jvm, Duration.ofSeconds(10));
        this.dataDir = dataDir;
        this.port = port;
    }

    /**
     * Starts the server with its objects under {@code dataDir/objects} and its log in {@code dataDir/../logs}.
     *
     * @param port 0 for a free one
     */
    public static S3Server start(Path dataDir, int port) {
        int claimed = Ports.claim(port, "S3Proxy", "the S3 port option (--s3-port)");
        Path dir = dataDir.toAbsolutePath();
        Path properties = dir.resolve("s3proxy.properties");
        Path log4j = dir.resolve("log4j2.properties");
        ServerFiles.write(properties, String.join("\n",
                "s3proxy.endpoint=http://" + Ports.HOST + ":" + claimed,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("objects"),
                ""));
        ServerFiles.write(log4j, String.join("\n",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=%d{ISO8601} %-5p [%c{1}] %m%n",
                "rootLogger.level=WARN",
                "rootLogger.appenderRef.out.ref=out",
                ""));
        ServerFiles.write(dir.resolve("objects").resolve(".keep"), "");
        ChildJvm jvm = ChildJvm.start(new ChildJvm.Spec("S3Proxy", CLASSPATH,
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + log4j.toUri()),
                "org.gaul.s3proxy.Main", List.of("--properties", properties.toString()), dir,
                dir.getParent().resolve("logs").resolve("s3proxy.log")));
        jvm.awaitReady(() -> Ports.accepting(claimed), START_TIMEOUT);
        return new S3Server(jvm, dataDir, claimed);
    }

    /** A stopped (or killed) server started again on the same data and port. */
    public S3Server startAgain() {
        requireExited();
        return start(dataDir, port);
    }

    /** The S3 API's address, for {@code objects.endpoint}. */
    public String endpoint() {
        return "http://" + Ports.HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    /**
     * A client of this server with its key pair, for whoever fills it (the runner's sample, a test): path-style,
     * checksums only where the API requires them, as the spout's own client.
     */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    /** Sets the SDK's credentials system properties of this JVM to the server's key pair. */
    public static void useCredentialsInThisJvm() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
    }

    /** The SDK's credentials environment variables, for a child JVM (say a LocalCluster) that reads the server. */
    public static Map<String, String> credentialsEnvironment() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }
}
