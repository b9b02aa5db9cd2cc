package io.tally.state.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.ssl.ProgrammaticSslEngineFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One driver session per distinct connection per JVM. A Storm worker runs many state partitions
 * and a driver session is heavy (pools, event loops, metadata), so they share it.
 *
 * <p>Sessions connect lazily and a failed connection is forgotten, so an unreachable Cassandra fails
 * the batch that needed it (Trident replays it later) instead of failing the worker at start-up.
 */
public final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    private static final Map<String, CompletionStage<CqlSession>> SESSIONS = new HashMap<>();
    private static final Duration RECONNECTION_BASE_DELAY = Duration.ofSeconds(1);
    private static final Duration RECONNECTION_MAX_DELAY = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SessionRegistry::closeAll, "tally-cassandra-sessions-close"));
    }

    private SessionRegistry() {
    }

    /** The shared session for these settings, connecting it on first use. */
    public static CompletionStage<CqlSession> session(CassandraSettings settings) {
        String key = settings.sessionKey();
        synchronized (SESSIONS) {
            CompletionStage<CqlSession> existing = SESSIONS.get(key);
            if (existing != null) {
                return existing;
            }
            LOG.info("Connecting to Cassandra at {} (datacenter {})", settings.contactPoints(), settings.localDatacenter());
            CompletionStage<CqlSession> connecting = builder(settings).buildAsync();
            connecting.whenComplete((session, error) -> {
                if (error != null) {
                    synchronized (SESSIONS) {
                        SESSIONS.remove(key, connecting);
                    }
                }
            });
            SESSIONS.put(key, connecting);
            return connecting;
        }
    }

    /**
     * The shared session, waiting for it to connect; throws when Cassandra cannot be reached, which callers turn
     * into a failed (and later replayed) batch.
     */
    public static CqlSession connected(CassandraSettings settings) throws Exception {
        try {
            return session(settings).toCompletableFuture()
                    .get(settings.requestTimeout().toMillis() * 3, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** A builder with Tally's driver settings; also used for one-off sessions (schema, queries). */
    public static CqlSessionBuilder builder(CassandraSettings settings) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, settings.requestTimeout())
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, settings.readConsistency())
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                // Schema changes on a loaded single node take a couple of seconds (the default is 2 s).
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                .withBoolean(DefaultDriverOption.REQUEST_WARN_IF_SET_KEYSPACE, false)
                // The driver's default schedule doubles the wait between attempts to reconnect a lost node up to
                // 60 s: after a 35 s Cassandra outage the worker reconnected 30 s after Cassandra was back
                // (FaultToleranceTest). Attempts at most 10 s apart are still one connection per node per session
                // each: no storm, and the pipeline resumes within 10 s of Cassandra's return.
                .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, RECONNECTION_BASE_DELAY)
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, RECONNECTION_MAX_DELAY)
                .build();
        CqlSessionBuilder builder = CqlSession.builder()
                .withConfigLoader(config)
                .withLocalDatacenter(settings.localDatacenter())
                .addContactPoints(settings.contactAddresses().stream()
                        .map(a -> new java.net.InetSocketAddress(a.getHostString(), a.getPort()))
                        .toList());
        if (settings.username() != null) {
            builder.withAuthCredentials(settings.username(), settings.password());
        }
        if (settings.ssl()) {
            // No reverse DNS: a certificate is checked against the address as configured or discovered.
            builder.withSslEngineFactory(new ProgrammaticSslEngineFactory(sslContext(settings), null,
                    settings.sslHostnameVerification(), false));
        }
        return builder;
    }

    /** The TLS context trusting {@code settings}' trust store, else the JVM's default one. */
    static SSLContext sslContext(CassandraSettings settings) {
        String path = settings.sslTruststorePath();
        try {
            if (path == null) {
                return SSLContext.getDefault();
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            String password = settings.sslTruststorePassword();
            try (InputStream in = Files.newInputStream(Path.of(path))) {
                trusted.load(in, password == null ? null : password.toCharArray());
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the trust store cassandra.ssl.truststore_path " + path
                    + ": " + (e.getCause() instanceof java.security.UnrecoverableKeyException
                            ? "wrong cassandra.ssl.truststore_password" : e.getMessage()), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot use the trust store cassandra.ssl.truststore_path " + path + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Closes every shared session; state created afterwards connects anew. Waits at most {@link #CLOSE_TIMEOUT} for
     * each: once a session's close never completed (its driver threads were gone, seen once in FaultToleranceTest
     * after a run of connection faults), and this also runs in a shutdown hook, which must not keep a JVM alive.
     */
    public static void closeAll() {
        Map<String, CompletionStage<CqlSession>> open;
        synchronized (SESSIONS) {
            open = new HashMap<>(SESSIONS);
            SESSIONS.clear();
        }
        for (CompletionStage<CqlSession> stage : open.values()) {
            CompletableFuture<CqlSession> future = stage.toCompletableFuture();
            if (future.isDone() && !future.isCompletedExceptionally()) {
                CqlSession session = future.join();
                try {
                    session.closeAsync().toCompletableFuture().get(CLOSE_TIMEOUT.toMillis(),
                            TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    LOG.warn("Cassandra session {} did not close within {} s; closing it forcefully", session.getName(),
                            CLOSE_TIMEOUT.toSeconds());
                    session.forceCloseAsync();
                } catch (ExecutionException e) {
                    LOG.warn("Closing Cassandra session {} failed: {}", session.getName(), e.getCause().toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
