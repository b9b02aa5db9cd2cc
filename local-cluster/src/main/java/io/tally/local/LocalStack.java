package io.tally.local;

import io.tally.local.server.CassandraServer;
import io.tally.local.server.CassandraServerConfig;
import io.tally.local.server.KafkaServer;
import io.tally.local.server.KafkaServerConfig;
import io.tally.local.storm.LocalStorm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Everything Tally needs on one machine: a Kafka broker and a Cassandra node (each a JVM of its own) and Storm's
 * LocalCluster in this JVM, all keeping their data under one directory so a restart continues where it stopped.
 */
public final class LocalStack implements AutoCloseable {
    private final LocalStackConfig config;
    private volatile KafkaServer kafka;
    private volatile CassandraServer cassandra;
    private LocalStorm storm;

    private LocalStack(LocalStackConfig config, KafkaServer kafka, CassandraServer cassandra, LocalStorm storm) {
        this.config = config;
        this.kafka = kafka;
        this.cassandra = cassandra;
        this.storm = storm;
    }

    /** Starts Kafka and Cassandra side by side (neither needs the other), then LocalCluster. */
    public static LocalStack start(LocalStackConfig config) {
        Path dir = config.dataDir().toAbsolutePath();
        CompletableFuture<KafkaServer> kafka = CompletableFuture.supplyAsync(() -> KafkaServer.start(
                KafkaServerConfig.builder(dir.resolve("kafka"))
                        .port(config.kafkaPort())
                        .controllerPort(config.kafkaControllerPort())
                        .heap(config.kafkaHeap())
                        .build()));
        CompletableFuture<CassandraServer> cassandra = CompletableFuture.supplyAsync(() -> CassandraServer.start(
                CassandraServerConfig.builder(dir.resolve("cassandra"))
                        .nativePort(config.cassandraNativePort())
                        .storagePort(config.cassandraStoragePort())
                        .heap(config.cassandraHeap())
                        .build()));
        KafkaServer startedKafka = null;
        CassandraServer startedCassandra = null;
        try {
            startedKafka = join(kafka);
            startedCassandra = join(cassandra);
            LocalStorm storm = LocalStorm.start(dir.resolve("zookeeper"));
            return new LocalStack(config, startedKafka, startedCassandra, storm);
        } catch (RuntimeException e) {
            // Whatever did start is stopped before the failure is reported.
            if (startedKafka == null) {
                kafka.thenAccept(KafkaServer::stop);
            } else {
                startedKafka.stop();
            }
            if (startedCassandra == null) {
                cassandra.thenAccept(CassandraServer::stop);
                cassandra.exceptionally(ignored -> null).join();
            } else {
                startedCassandra.stop();
            }
            kafka.exceptionally(ignored -> null).join();
            throw e;
        }
    }

    public KafkaServer kafka() {
        return kafka;
    }

    public CassandraServer cassandra() {
        return cassandra;
    }

    public LocalStorm storm() {
        return storm;
    }

    public LocalStackConfig config() {
        return config;
    }

    /**
     * Stops LocalCluster and its ZooKeeper and starts them again on the same data, as a crashed and restarted
     * development cluster would; topologies must be submitted again.
     */
    public LocalStorm restartStorm() {
        storm.close();
        storm = LocalStorm.start(config.dataDir().toAbsolutePath().resolve("zookeeper"));
        return storm;
    }

    /**
     * Stops Cassandra (cleanly, its data kept), runs {@code whileDown} (which decides how long the outage lasts and
     * may observe the pipeline meanwhile), and starts Cassandra again, even when {@code whileDown} failed.
     */
    public CassandraServer restartCassandra(Runnable whileDown) {
        cassandra.stop();
        try {
            whileDown.run();
        } finally {
            cassandra = cassandra.startAgain();
        }
        return cassandra;
    }

    /**
     * Stops the Kafka broker (cleanly, its data kept), leaves it down for {@code down}, and starts it again, even when
     * the wait was interrupted.
     */
    public KafkaServer restartKafka(Duration down) {
        kafka.stop();
        try {
            sleep(down);
        } finally {
            kafka = kafka.startAgain();
        }
        return kafka;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a planned outage", e);
        }
    }

    /** Stops LocalCluster, then Cassandra and Kafka; a failure of one does not leave the others running. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (Runnable stop : new Runnable[] {storm::close, () -> cassandra.stop(), () -> kafka.stop()}) {
            try {
                stop.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
    }
}
