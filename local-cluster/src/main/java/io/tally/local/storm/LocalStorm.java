package io.tally.local.storm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.Config;
import org.apache.storm.LocalCluster;
import org.apache.storm.generated.KillOptions;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.shade.org.apache.zookeeper.server.NIOServerCnxnFactory;
import org.apache.storm.testing.TmpPath;
import org.apache.storm.utils.Utils;

/**
 * Storm's LocalCluster for development and tests, with Trident's transactional state in a ZooKeeper whose
 * data persists in a directory.
 *
 * <p>Trident keeps each spout's transaction ids and batch metadata (Kafka offsets) in ZooKeeper, and the
 * opaque state in Cassandra compares against those txids. LocalCluster's own ZooKeeper is in memory, so a
 * restart would begin again at txid 1 against rows holding higher txids: counts would be silently wrong.
 * Here Trident's state ({@code transactional.zookeeper.*}) goes to a persistent ZooKeeper while Nimbus keeps
 * its throw-away one, so a restarted cluster never sees stale assignments but Trident continues exactly.
 *
 * <p>Both ZooKeepers listen on 127.0.0.1 only ({@link LoopbackZooKeeper}); LocalCluster's workers are threads of
 * this JVM, so nothing else listens.
 */
public final class LocalStorm implements AutoCloseable {
    /** Seconds a killed topology stays deactivated before its workers stop. */
    static final int KILL_WAIT_SECS = 2;
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(60);

    private final NIOServerCnxnFactory zookeeper;
    private final NIOServerCnxnFactory nimbusZookeeper;
    private final TmpPath nimbusZookeeperDir;
    private final LocalCluster cluster;
    private final Map<String, Object> transactionalConf;

    private LocalStorm(NIOServerCnxnFactory zookeeper, NIOServerCnxnFactory nimbusZookeeper, TmpPath nimbusZookeeperDir,
            LocalCluster cluster, Map<String, Object> transactionalConf) {
        this.zookeeper = zookeeper;
        this.nimbusZookeeper = nimbusZookeeper;
        this.nimbusZookeeperDir = nimbusZookeeperDir;
        this.cluster = cluster;
        this.transactionalConf = transactionalConf;
    }

    public static LocalStorm start(Path zookeeperDataDir) {
        return start(zookeeperDataDir, 0);
    }

    /** @param zookeeperPort where the Trident ZooKeeper listens; 0 for any free port */
    public static LocalStorm start(Path zookeeperDataDir, int zookeeperPort) {
        NIOServerCnxnFactory zookeeper;
        try {
            zookeeper = LoopbackZooKeeper.start(zookeeperDataDir.toAbsolutePath(), zookeeperPort);
        } catch (IOException e) {
            throw new UncheckedIOException("the Trident ZooKeeper did not start in " + zookeeperDataDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Trident ZooKeeper", e);
        }
        Map<String, Object> transactionalConf = new HashMap<>();
        transactionalConf.put(Config.TRANSACTIONAL_ZOOKEEPER_SERVERS, List.of("127.0.0.1"));
        transactionalConf.put(Config.TRANSACTIONAL_ZOOKEEPER_PORT, zookeeper.getLocalPort());
        NIOServerCnxnFactory nimbusZookeeper = null;
        // Nimbus's state is thrown away with the cluster: a fresh directory each time.
        TmpPath nimbusZookeeperDir = new TmpPath();
        try {
            nimbusZookeeper = LoopbackZooKeeper.start(nimbusZookeeperDir.getFile().toPath(), 0);
            LocalCluster.Builder builder = new LocalCluster.Builder()
                    .withDaemonConf(Config.STORM_ZOOKEEPER_SERVERS, List.of("127.0.0.1"))
                    .withDaemonConf(Config.STORM_ZOOKEEPER_PORT, nimbusZookeeper.getLocalPort());
            transactionalConf.forEach(builder::withDaemonConf);
            return new LocalStorm(zookeeper, nimbusZookeeper, nimbusZookeeperDir, builder.build(),
                    Map.copyOf(transactionalConf));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            stopZookeeper(nimbusZookeeper, nimbusZookeeperDir);
            zookeeper.shutdown();
            throw new IllegalStateException("Storm LocalCluster did not start", e);
        }
    }

    /** Submits with the topology's own configuration plus where Trident keeps its state. */
    public void submit(String name, Map<String, Object> conf, StormTopology topology) {
        Map<String, Object> withState = new HashMap<>(conf);
        withState.putAll(transactionalConf);
        try {
            cluster.submitTopology(name, withState, topology);
        } catch (Exception e) {
            throw new IllegalStateException("submitting topology " + name + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Kills the topology and returns when it is gone, so the same name can be submitted again. Storm first
     * deactivates it for {@link #KILL_WAIT_SECS}: with no new batch starting, no spout is writing its batch's
     * offsets to ZooKeeper when the worker closes its client, which in LocalCluster would halt the whole JVM
     * ("Halting process: Worker died", seen when killing mid-stream with no wait). Batches in flight may still
     * fail and are replayed by the next submission.
     */
    public void kill(String name) {
        KillOptions options = new KillOptions();
        options.set_wait_secs(KILL_WAIT_SECS);
        try {
            cluster.killTopologyWithOpts(name, options);
            long deadline = System.nanoTime() + KILL_TIMEOUT.toNanos();
            while (isActive(name)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topology " + name + " still running " + KILL_TIMEOUT.toSeconds()
                            + " s after it was killed");
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("killing topology " + name + " failed: " + e.getMessage(), e);
        }
    }

    public boolean isActive(String name) {
        try {
            return cluster.getTopologySummaries().stream().anyMatch(t -> t.get_name().equals(name));
        } catch (Exception e) {
            throw new IllegalStateException("cannot list topologies: " + e.getMessage(), e);
        }
    }

    /**
     * The errors the topology's executors reported (an exception that reached Storm, e.g. one that killed a worker),
     * each as {@code component: error}; empty when none.
     */
    public List<String> reportedErrors(String name) {
        try {
            List<String> errors = new ArrayList<>();
            cluster.getTopologyInfoByName(name).get_errors().forEach((component, reported) ->
                    reported.forEach(error -> errors.add(component + ": " + error.get_error())));
            return errors;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the errors of topology " + name + ": " + e.getMessage(), e);
        }
    }

    /** The ports of the ZooKeepers this cluster runs: Trident's, then Nimbus's. */
    public List<Integer> zookeeperPorts() {
        return List.of(zookeeper.getLocalPort(),
                ((Number) cluster.getDaemonConf().get(Config.STORM_ZOOKEEPER_PORT)).intValue());
    }

    /** The Trident ZooKeeper settings every submitted topology gets. */
    /** Storm's defaults with where Trident keeps its state: what a reader of Trident's progress needs. */
    public Map<String, Object> tridentConf() {
        Map<String, Object> conf = new HashMap<>(Utils.readDefaultConfig());
        conf.putAll(transactionalConf);
        return conf;
    }

    public Map<String, Object> transactionalConf() {
        return transactionalConf;
    }

    /** Kills every topology (as {@link #kill} does), then stops LocalCluster and its ZooKeeper. */
    @Override
    public void close() {
        try {
            for (org.apache.storm.generated.TopologySummary topology : cluster.getTopologySummaries()) {
                kill(topology.get_name());
            }
        } catch (Exception e) {
            // Shutting down anyway; LocalCluster kills what is left.
        }
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Storm LocalCluster did not shut down cleanly", e);
        } finally {
            stopZookeeper(nimbusZookeeper, nimbusZookeeperDir);
            zookeeper.shutdown();
        }
    }

    private static void stopZookeeper(NIOServerCnxnFactory zookeeper, TmpPath dataDir) {
        if (zookeeper != null) {
            zookeeper.shutdown();
        }
        dataDir.close();
    }
}
