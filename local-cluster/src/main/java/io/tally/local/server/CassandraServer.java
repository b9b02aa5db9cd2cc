package io.tally.local.server;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Cassandra 5.0 (cassandra-all from Maven Central) in its own JVM. Restarting it on the same data
 * directory keeps every table and row; a kill -9 is recovered from the commit log.
 */
public final class CassandraServer extends ServerProcess {
    private static final String CLASSPATH = "/META-INF/tally/cassandra-server.classpath";
    private static final String DATACENTER = "datacenter1";

    /** What Cassandra 5.0 needs opened on Java 17 (upstream conf/jvm17-server.options). */
    private static final List<String> JAVA17_ACCESS = List.of(
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports=java.sql/java.sql=ALL-UNNAMED",
            "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED");

    /** The configuration with the ports actually used, so the server can be started again where it was. */
    private final CassandraServerConfig effective;

    private CassandraServer(ChildJvm jvm, CassandraServerConfig effective) {
        // Time to drain and flush its memtables on SIGTERM.
        super(jvm, Duration.ofSeconds(30));
        this.effective = effective;
    }

    public static CassandraServer start(CassandraServerConfig config) {
        int nativePort = Ports.claim(config.nativePort(), "Cassandra", "the Cassandra port option (--cassandra-port)");
        int storagePort = Ports.claim(config.storagePort(), "Cassandra", "the Cassandra storage port option");
        Path dir = config.dataDir().toAbsolutePath();
        Path yaml = dir.resolve("cassandra.yaml");
        Path logback = dir.resolve("logback.xml");
        Path logDir = dir.getParent().resolve("logs");
        ServerFiles.write(yaml, cassandraYaml(dir, nativePort, storagePort, config.passwordAuthentication())
                + clientEncryption(config.clientTls()));
        ServerFiles.write(logback, LOGBACK_CONFIG);

        List<String> jvmOptions = new ArrayList<>(List.of(
                "-Xms" + config.heap(), "-Xmx" + config.heap(), "-XX:+UseG1GC", "-Xss512k",
                "-Djava.awt.headless=true",
                "-Dcassandra-foreground=yes",
                "-Dcassandra.config=" + yaml.toUri(),
                "-Dcassandra.storagedir=" + dir,
                "-Dcassandra.logdir=" + logDir,
                "-Dlogback.configurationFile=" + logback.toUri(),
                // A single node has nobody to wait for: without these the first boot stalls ~30 s.
                "-Dcassandra.ring_delay_ms=100",
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.memtable.row_overhead_size=180",
                "-Dcassandra.shutdown_announce_in_ms=0",
                "-Djdk.attach.allowAttachSelf=true",
                // With password authentication, the default superuser is created at once, not after 10 s.
                "-Dcassandra.superuser_setup_delay_ms=0"));
        jvmOptions.addAll(JAVA17_ACCESS);
        ChildJvm jvm = ChildJvm.start(new ChildJvm.Spec("Cassandra", CLASSPATH, jvmOptions,
                "org.apache.cassandra.service.CassandraDaemon", List.of(), dir, logDir.resolve("cassandra.log")));
        jvm.awaitReady(() -> Ports.accepting(nativePort)
                && answersCql(nativePort, config.passwordAuthentication(), config.clientTls()), config.startTimeout());
        return new CassandraServer(jvm, new CassandraServerConfig(config.dataDir(), nativePort, storagePort,
                config.heap(), config.startTimeout(), config.passwordAuthentication(), config.clientTls()));
    }

    /** Starts a stopped (or killed) server again on the same data and ports, as an operator's restart would. */
    public CassandraServer startAgain() {
        requireExited();
        return start(effective);
    }

    public InetSocketAddress contactPoint() {
        return new InetSocketAddress(Ports.HOST, effective.nativePort());
    }

    public String localDatacenter() {
        return DATACENTER;
    }

    private static boolean answersCql(int port, boolean passwordAuthentication, CassandraServerConfig.ClientTls tls) {
        var builder = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(Ports.HOST, port))
                .withLocalDatacenter(DATACENTER);
        if (passwordAuthentication) {
            builder.withAuthCredentials(CassandraServerConfig.SUPERUSER, CassandraServerConfig.SUPERUSER);
        }
        if (tls != null) {
            // Only whether it answers: trust the server's own certificate, whatever name it holds.
            builder.withSslEngineFactory(new ProgrammaticSslEngineFactory(trusting(tls), null, false, false));
        }
        try (CqlSession session = builder.build()) {
            return session.execute("SELECT release_version FROM system.local").one() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static SSLContext trusting(CassandraServerConfig.ClientTls tls) {
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(in, tls.password().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keys);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read Cassandra's key store " + tls.keystore(), e);
        }
    }

    /** Client TLS only, on the one native port, which then refuses plain text. */
    private static String clientEncryption(CassandraServerConfig.ClientTls tls) {
        if (tls == null) {
            return "";
        }
        return String.join("\n",
                "client_encryption_options:",
                "  enabled: true",
                "  optional: false",
                "  keystore: " + tls.keystore().toAbsolutePath(),
                "  keystore_password: \"" + tls.password() + "\"",
                "  require_client_auth: false",
                "");
    }

    private static String cassandraYaml(Path dir, int nativePort, int storagePort, boolean passwordAuthentication) {
        return String.join("\n",
                "cluster_name: tally-local",
                "num_tokens: 1",
                "allocate_tokens_for_local_replication_factor: 1",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"" + Ports.HOST + ":" + storagePort + "\"",
                "listen_address: " + Ports.HOST,
                "rpc_address: " + Ports.HOST,
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "data_file_directories:",
                "  - " + dir.resolve("data"),
                "commitlog_directory: " + dir.resolve("commitlog"),
                "saved_caches_directory: " + dir.resolve("saved_caches"),
                "hints_directory: " + dir.resolve("hints"),
                "cdc_raw_directory: " + dir.resolve("cdc_raw"),
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                // One node for development and tests: nothing to hand off, no peers to rank.
                "hinted_handoff_enabled: false",
                "dynamic_snitch: false",
                // Tests drop keyspaces often; a snapshot on every DROP only fills the disk.
                "auto_snapshot: false",
                "concurrent_compactors: 1",
                // Tally's claims read single rows out of wide partitions; with the default 64 KiB between row-index
                // entries each lookup read several hundred rows before it (see deploy/OPERATIONS.md).
                "column_index_size: 4KiB",
                // One node, with no 4.x peers to stay compatible with, so it can use 5.0's trie-indexed sstables.
                // Files an older Tally wrote with 4.x compatibility are read as they are; going back to such a
                // version on the same data directory is not possible (see the README).
                "storage_compatibility_mode: NONE",
                "sstable:",
                "  selected_format: bti",
                "key_cache_size: 16MiB",
                "counter_cache_size: 0MiB",
                "memtable_heap_space: 128MiB",
                "memtable_offheap_space: 128MiB",
                passwordAuthentication ? "authenticator: PasswordAuthenticator" : "authenticator: AllowAllAuthenticator",
                passwordAuthentication ? "authorizer: CassandraAuthorizer" : "authorizer: AllowAllAuthorizer",
                "");
    }

    private static final String LOGBACK_CONFIG = String.join("\n",
            "<configuration scan=\"false\">",
            "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <encoder><pattern>%date %-5level [%thread] %logger{20} %msg%n</pattern></encoder>",
            "  </appender>",
            "  <root level=\"INFO\"><appender-ref ref=\"OUT\"/></root>",
            "</configuration>",
            "");
}
