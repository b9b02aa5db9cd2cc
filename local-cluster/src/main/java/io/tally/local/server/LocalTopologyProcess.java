package io.tally.local.server;

import io.tally.local.storm.LocalTopologyMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.storm.Config;

/**
 * A LocalCluster running Tally's topology in a child JVM ({@link LocalTopologyMain}), on a ZooKeeper data directory
 * that outlives it. The child dies with this JVM ({@link ParentWatchdog}); {@link #kill} ends it with SIGKILL through
 * its own process handle, and {@link #startAgain} starts a new one on the same directory and configuration.
 */
public final class LocalTopologyProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path zookeeperDir;
    private final int zookeeperPort;
    private final Path configFile;
    private final Path logFile;
    private final Map<String, String> environment;
    private final ChildJvm jvm;

    private LocalTopologyProcess(Path zookeeperDir, int zookeeperPort, Path configFile, Path logFile,
            Map<String, String> environment, ChildJvm jvm) {
        this.zookeeperDir = zookeeperDir;
        this.zookeeperPort = zookeeperPort;
        this.configFile = configFile;
        this.logFile = logFile;
        this.environment = environment;
        this.jvm = jvm;
    }

    /**
     * Starts the child JVM and returns once it has submitted the topology of {@code configFile} (a {@code tally.yaml});
     * its output is appended to {@code logFile}.
     */
    public static LocalTopologyProcess start(Path zookeeperDir, Path configFile, Path logFile) {
        return start(zookeeperDir, configFile, logFile, Map.of());
    }

    /**
     * As {@link #start(Path, Path, Path)}, with {@code environment} added to the child's (say the AWS SDK's
     * credentials variables for an {@code objects:} source), on every start.
     */
    public static LocalTopologyProcess start(Path zookeeperDir, Path configFile, Path logFile,
            Map<String, String> environment) {
        return start(zookeeperDir, Ports.claim(0, "the Trident ZooKeeper", "a free port"), configFile, logFile,
                environment);
    }

    private static LocalTopologyProcess start(Path zookeeperDir, int zookeeperPort, Path configFile, Path logFile,
            Map<String, String> environment) {
        long logSizeBefore = size(logFile);
        ChildJvm jvm = ChildJvm.start(new ChildJvm.Spec("Storm LocalCluster", ChildJvm.SAME_CLASSPATH,
                List.of("-Xmx1g", "-XX:+UseG1GC"), LocalTopologyMain.class.getName(),
                List.of(zookeeperDir.toAbsolutePath().toString(), String.valueOf(zookeeperPort),
                        configFile.toAbsolutePath().toString()),
                zookeeperDir.toAbsolutePath().getParent(), logFile, List.of(), environment));
        // The log is appended to across restarts: only what this start wrote counts.
        jvm.awaitReady(() -> readFrom(logFile, logSizeBefore).contains(LocalTopologyMain.READY), START_TIMEOUT);
        return new LocalTopologyProcess(zookeeperDir, zookeeperPort, configFile, logFile, environment, jvm);
    }

    /** A new child on the same ZooKeeper directory and configuration; this one must have exited. */
    public LocalTopologyProcess startAgain() {
        if (jvm.isAlive()) {
            throw new IllegalStateException("the LocalCluster JVM is still running (pid " + jvm.pid() + ")");
        }
        return start(zookeeperDir, zookeeperPort, configFile, logFile, environment);
    }

    /** Where the topology's Trident state is ({@code transactional.zookeeper.*}), for reading its progress. */
    public Map<String, Object> transactionalConf() {
        return Map.of(Config.TRANSACTIONAL_ZOOKEEPER_SERVERS, List.of(Ports.HOST),
                Config.TRANSACTIONAL_ZOOKEEPER_PORT, zookeeperPort);
    }

    public long pid() {
        return jvm.pid();
    }

    /** SIGKILL to this child's process, as a crash: no shutdown hook, no topology kill, nothing flushed. */
    public void kill() {
        jvm.kill();
    }

    /** SIGTERM, then SIGKILL if it lingers. */
    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(10));
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String readFrom(Path file, long offset) {
        try {
            byte[] all = Files.readAllBytes(file);
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
