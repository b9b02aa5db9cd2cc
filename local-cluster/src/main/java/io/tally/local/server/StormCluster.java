package io.tally.local.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.storm.Config;
import org.apache.storm.generated.ClusterSummary;
import org.apache.storm.generated.KillOptions;
import org.apache.storm.generated.TopologySummary;
import org.apache.storm.utils.NimbusClient;
import org.apache.storm.utils.Utils;

/**
 * A real Storm cluster on this machine, as production runs it: ZooKeeper, Nimbus and a Supervisor, each in a JVM
 * of its own, and the worker JVMs the supervisor launches. Storm's binary distribution is not on Maven Central,
 * so the cluster is assembled from Maven artifacts: the daemons run with storm-server's classpath, the workers
 * with storm-client's (the distribution's {@code lib-worker}, given to the supervisor as
 * {@code STORM_EXT_CLASSPATH}), all configured by one {@code storm.yaml} this launcher writes.
 *
 * <p>Topologies are submitted the way {@code storm jar} does it: a client JVM with the jar on its classpath and
 * in the {@code storm.jar} system property, running the jar's main class, which calls {@code StormSubmitter}.
 *
 * <p>ZooKeeper listens on 127.0.0.1 only. Nimbus's and the supervisor's Thrift ports and the workers' Netty ports
 * listen on every address: Storm 2.8 binds them to the wildcard address in code, with no setting to change it (see
 * docs/security-and-identity.md).
 *
 * <p>Nimbus uses Storm's {@code DefaultScheduler}, which honours a topology's worker count; the resource-aware
 * default would pack executors by their declared memory instead.
 */
public final class StormCluster implements AutoCloseable {
    private static final String DAEMON_CLASSPATH = "/META-INF/tally/storm-daemon.classpath";
    private static final String WORKER_CLASSPATH = "/META-INF/tally/storm-worker.classpath";
    private static final int CLIENT_TIMEOUT_MS = 5_000;

    private final Path dir;
    private final Path stormYaml;
    private final Path daemonLog4j;
    private final int nimbusPort;
    private final int zookeeperPort;
    private final List<ChildJvm> daemons = new ArrayList<>();
    private ChildJvm supervisor;

    private StormCluster(Path dir, Path stormYaml, Path daemonLog4j, int nimbusPort, int zookeeperPort) {
        this.dir = dir;
        this.stormYaml = stormYaml;
        this.daemonLog4j = daemonLog4j;
        this.nimbusPort = nimbusPort;
        this.zookeeperPort = zookeeperPort;
    }

    public static StormCluster start(StormClusterConfig config) {
        Path dir = config.dataDir().toAbsolutePath();
        int zookeeperPort = Ports.claim(0, "ZooKeeper", "a free port");
        int nimbusPort = Ports.claim(0, "Nimbus", "a free port");
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < config.workerSlots(); i++) {
            slots.add(Ports.claim(0, "a Storm worker", "a free port"));
        }
        Path home = dir.resolve("home");
        Path stormYaml = home.resolve("conf").resolve("storm.yaml");
        Path log4jDir = home.resolve("log4j2");
        Path daemonLog4j = log4jDir.resolve("cluster.xml");
        ServerFiles.write(stormYaml, stormYaml(config, dir, zookeeperPort, nimbusPort, slots, log4jDir));
        ServerFiles.write(daemonLog4j, DAEMON_LOG4J);
        ServerFiles.write(log4jDir.resolve("worker.xml"), WORKER_LOG4J);
        try {
            Files.createDirectories(home.resolve("lib-worker"));
        } catch (java.io.IOException e) {
            throw new ServerStartException("cannot create " + home + ": " + e.getMessage(), e);
        }

        StormCluster cluster = new StormCluster(dir, stormYaml, daemonLog4j, nimbusPort, zookeeperPort);
        try {
            // ZooKeeper as Storm ships it (shaded in storm-shaded-deps); `storm dev-zookeeper` lives in storm-core.
            // Its configuration file binds it to the loopback address: given only a port, it listens on every one.
            Path zooCfg = home.resolve("conf").resolve("zoo.cfg");
            ServerFiles.write(zooCfg, "dataDir=" + dir.resolve("zookeeper") + "\nclientPort=" + zookeeperPort
                    + "\nclientPortAddress=" + Ports.HOST + "\ntickTime=2000\n");
            cluster.daemons.add(cluster.daemon("Storm ZooKeeper",
                    "org.apache.storm.shade.org.apache.zookeeper.server.ZooKeeperServerMain", "256m",
                    List.of(zooCfg.toString()), Map.of()));
            cluster.daemons.get(0).awaitReady(() -> Ports.accepting(zookeeperPort), config.startTimeout());
            ChildJvm nimbus = cluster.daemon("Storm Nimbus", "org.apache.storm.daemon.nimbus.Nimbus", "512m", List.of(),
                    Map.of());
            cluster.daemons.add(nimbus);
            nimbus.awaitReady(() -> cluster.summary().map(s -> s.get_nimbuses().stream()
                    .anyMatch(n -> n.is_isLeader())).orElse(false), config.startTimeout());
            // The supervisor builds each worker's classpath from STORM_EXT_CLASSPATH, as `storm supervisor` does.
            cluster.supervisor = cluster.daemon("Storm Supervisor", "org.apache.storm.daemon.supervisor.Supervisor",
                    "256m", List.of(), Map.of("STORM_EXT_CLASSPATH", ChildJvm.runtimeClasspath(WORKER_CLASSPATH),
                            "STORM_CONF_DIR", stormYaml.getParent().toString()));
            cluster.daemons.add(cluster.supervisor);
            cluster.supervisor.awaitReady(() -> cluster.summary().map(s -> s.get_supervisors_size() > 0)
                    .orElse(false), config.startTimeout());
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private ChildJvm daemon(String name, String mainClass, String heap, List<String> args,
            Map<String, String> environment) {
        Path home = stormYaml.getParent().getParent();
        List<String> options = List.of("-Xmx" + heap, "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Dstorm.home=" + home, "-Dstorm.conf.file=" + stormYaml,
                "-Dstorm.log.dir=" + dir.resolve("logs"), "-Dlog4j.configurationFile=" + daemonLog4j.toUri(),
                "-Dzookeeper.admin.enableServer=false");
        String logName = name.toLowerCase().replace(' ', '-') + ".log";
        return ChildJvm.start(new ChildJvm.Spec(name, DAEMON_CLASSPATH, options, mainClass, args, dir,
                dir.resolve("logs").resolve(logName), List.of(), environment));
    }

    /**
     * Runs {@code mainClass} of {@code jar} as {@code storm jar jar mainClass args…} would, and waits for it;
     * fails with its output when it exits non-zero.
     */
    public void submit(Path jar, String mainClass, List<String> args, Duration timeout) {
        List<String> options = List.of("-Xmx256m", "-Dstorm.jar=" + jar.toAbsolutePath(),
                "-Dstorm.conf.file=" + stormYaml, "-Dlog4j.configurationFile=" + daemonLog4j.toUri());
        ChildJvm.runToCompletion(new ChildJvm.Spec("storm jar " + jar.getFileName(), WORKER_CLASSPATH, options,
                mainClass, args, dir, dir.resolve("logs").resolve("storm-jar.log"),
                List.of(jar.toAbsolutePath().toString()), Map.of()), timeout);
    }

    /** Where the cluster's ZooKeeper listens, on {@code 127.0.0.1}. */
    public int zookeeperPort() {
        return zookeeperPort;
    }

    /** The cluster as Nimbus reports it; empty while Nimbus does not answer. */
    public Optional<ClusterSummary> summary() {
        try (NimbusClient client = nimbus()) {
            return Optional.of(client.getClient().getClusterInfo());
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    public Optional<TopologySummary> topology(String name) {
        return summary().flatMap(s -> s.get_topologies().stream().filter(t -> t.get_name().equals(name)).findFirst());
    }

    /** Kills a topology at once (no wait for its in-flight batches), as a failed deployment would end. */
    public void kill(String name) {
        try (NimbusClient client = nimbus()) {
            KillOptions options = new KillOptions();
            options.set_wait_secs(0);
            client.getClient().killTopologyWithOpts(name, options);
        } catch (Exception e) {
            throw new IllegalStateException("cannot kill topology " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The worker JVMs the supervisor runs now. The supervisor starts each through a log writer JVM, which starts
     * the worker as its child: the workers are the supervisor's grandchildren. (Their command lines are too long
     * for {@code ProcessHandle.Info} to be relied on.)
     */
    public List<ProcessHandle> workers() {
        if (supervisor == null) {
            return List.of();
        }
        return ProcessHandle.of(supervisor.pid()).stream()
                .flatMap(ProcessHandle::children)
                .flatMap(ProcessHandle::children)
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    /**
     * A client of this cluster's Nimbus. Not {@code NimbusClient.getConfiguredClient}: while a LocalCluster runs in
     * this JVM (the tests' one), that returns the LocalCluster's in-process Nimbus instead.
     */
    private NimbusClient nimbus() throws Exception {
        return new NimbusClient(clientConfig(), Ports.HOST, nimbusPort, CLIENT_TIMEOUT_MS);
    }

    private Map<String, Object> clientConfig() {
        Map<String, Object> conf = Utils.readDefaultConfig();
        conf.put(Config.NIMBUS_SEEDS, List.of(Ports.HOST));
        conf.put(Config.NIMBUS_THRIFT_PORT, nimbusPort);
        return conf;
    }

    /**
     * Stops the workers first (the supervisor leaves them running when it stops, as it does for a supervisor
     * restart in production), then the daemons in reverse order; all by process id.
     */
    @Override
    public void close() {
        if (supervisor != null) {
            List<ProcessHandle> descendants = ProcessHandle.of(supervisor.pid()).stream()
                    .flatMap(ProcessHandle::descendants).toList();
            descendants.forEach(ProcessHandle::destroyForcibly);
            descendants.forEach(p -> p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                    .exceptionally(e -> p).join());
        }
        for (int i = daemons.size() - 1; i >= 0; i--) {
            daemons.get(i).stop(Duration.ofSeconds(10));
        }
        daemons.clear();
    }

    private static String stormYaml(StormClusterConfig config, Path dir, int zookeeperPort, int nimbusPort,
            List<Integer> slots, Path log4jDir) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("storm.zookeeper.servers: [\"").append(Ports.HOST).append("\"]\n");
        yaml.append("storm.zookeeper.port: ").append(zookeeperPort).append('\n');
        yaml.append("storm.local.dir: \"").append(dir.resolve("storm-local")).append("\"\n");
        yaml.append("storm.local.hostname: \"").append(Ports.HOST).append("\"\n");
        yaml.append("storm.log.dir: \"").append(dir.resolve("logs")).append("\"\n");
        yaml.append("storm.log4j2.conf.dir: \"").append(log4jDir).append("\"\n");
        yaml.append("nimbus.seeds: [\"").append(Ports.HOST).append("\"]\n");
        yaml.append("nimbus.thrift.port: ").append(nimbusPort).append('\n');
        yaml.append("storm.scheduler: \"org.apache.storm.scheduler.DefaultScheduler\"\n");
        yaml.append("supervisor.slots.ports: ").append(slots).append('\n');
        yaml.append("supervisor.worker.timeout.secs: ").append(config.workerTimeout().toSeconds()).append('\n');
        yaml.append("worker.heap.memory.mb: ").append(config.workerHeapMb()).append('\n');
        yaml.append("worker.childopts: \"-Xmx%HEAP-MEM%m -XX:+UseG1GC -XX:+HeapDumpOnOutOfMemoryError\"\n");
        return yaml.toString();
    }

    /** ZooKeeper and Curator chatter, quiet in daemons and workers alike. */
    private static final String QUIET_LOGGERS = """
                <Logger name="org.apache.storm.shade.org.apache.zookeeper" level="WARN"/>
                <Logger name="org.apache.storm.shade.org.apache.curator" level="WARN"/>
                <Logger name="org.apache.zookeeper" level="WARN"/>
            """;

    private static final String DAEMON_LOG4J = log4j2("out", """
                <Console name="out" target="SYSTEM_OUT">
                  <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n"/>
                </Console>
            """, "");

    /** Workers log to {@code logs/workers-artifacts/<topology>/<port>/worker.log}, as in a distribution. */
    private static final String WORKER_LOG4J = log4j2("worker", """
                <File name="worker" fileName="${sys:workers.artifacts}/${sys:storm.id}/${sys:worker.port}/${sys:logfile.name}">
                  <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c{1} [%t] - %msg%n"/>
                </File>
            """, """
                <Logger name="org.apache.kafka" level="WARN"/>
                <Logger name="com.datastax.oss.driver" level="WARN"/>
            """);

    /** Daemons' and workers' log4j2 configuration: all at INFO to {@code appender}, but the quiet loggers. */
    private static String log4j2(String appenderName, String appender, String moreQuietLoggers) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Configuration status="WARN">
                  <Appenders>
                APPENDER
                  </Appenders>
                  <Loggers>
                QUIET
                    <Root level="INFO"><AppenderRef ref="NAME"/></Root>
                  </Loggers>
                </Configuration>
                """.replace("ref=\"NAME\"", "ref=\"" + appenderName + "\"")
                .replace("APPENDER\n", appender)
                .replace("QUIET\n", QUIET_LOGGERS + moreQuietLoggers);
    }
}
