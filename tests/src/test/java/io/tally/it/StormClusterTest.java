package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.BackgroundLoad;
import io.tally.it.support.CountTables;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.StormClusterContainer;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.local.server.Ports;
import io.tally.local.server.StormCluster;
import io.tally.local.server.StormClusterConfig;
import io.tally.testsupport.Eventually;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployable jar on a real Storm cluster: ZooKeeper, Nimbus and a Supervisor in JVMs of their own, two worker
 * JVMs, the jar submitted as {@code storm jar} submits it; exact counts, then exact again after each worker in
 * turn is killed with SIGKILL mid-stream and the supervisor restarts it. Alone: {@code mvn verify -pl tests -am
 * -Dgroups=storm-cluster -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("storm-cluster")
@ExtendWith(RealServices.class)
class StormClusterTest {
    private static final String NAME = "it-cluster";
    private static final Duration DRAIN = Duration.ofMinutes(4);

    @Test
    void theDeployableJarCountsExactlyOnARealClusterThroughWorkersKilledMidStream() throws Exception {
        Path jar = Path.of(System.getProperty("tally.storm.jar", "../cli/target/tally-cli-storm.jar"));
        assumeTrue(Files.exists(jar), "the deployable jar " + jar + " is built by the package phase: run `mvn verify`"
                + " (the README's test command), not `mvn test`, to include this test");
        String topic = "cluster-events";
        String keyspace = TestKeyspaces.create("cluster");
        TestTopologies.createTopic(topic, 4);
        Path dir = TestDirectories.create("storm-cluster-");
        Path config = dir.resolve("tally.yaml");
        Files.writeString(config, tallyYaml(topic, keyspace));
        EventGenerator generator = new EventGenerator(7L, Instant.parse("2026-11-20T00:00:00Z"), 24, 5_000);
        Truth truth = new Truth();
        CqlSession session = TestKeyspaces.session();
        StormClusterContainer container = new StormClusterContainer(StormClusterConfig.of(dir.resolve("cluster")));
        long started = System.nanoTime();
        boolean passed = false;
        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, 4)) {
            container.start();
            StormCluster cluster = container.cluster();
            report("cluster ready", started);
            Duration connectTimeout = Duration.ofSeconds(2);
            assertThat(Ports.accepting("127.0.0.1", cluster.zookeeperPort(), connectTimeout))
                    .as("ZooKeeper on 127.0.0.1").isTrue();
            assertThat(Ports.accepting("127.0.0.2", cluster.zookeeperPort(), connectTimeout))
                    .as("ZooKeeper on 127.0.0.2").isFalse();

            kafka.send(truth.generate(generator, 20_000));
            cluster.submit(jar, "io.tally.cli.TallyCommand", List.of("submit", "--config", config.toString()),
                    Duration.ofMinutes(2));
            assertThat(Eventually.poll(() -> cluster.workers().size(), n -> n == 2, Duration.ofMinutes(2)))
                    .as("worker JVMs running").isEqualTo(2);
            assertThat(cluster.topology(NAME)).as("topology on Nimbus").isPresent();
            report("topology running on 2 workers", started);
            CountTables.assertExact(session, keyspace, truth, DRAIN);
            report("first 20,000 events counted", started);

            try (BackgroundLoad load = new BackgroundLoad(kafka, generator, truth, 40_000, 2_000)) {
                // Each original worker in turn, so the one holding the spout coordinator is among them.
                for (ProcessHandle victim : cluster.workers()) {
                    Eventually.sleep(Duration.ofSeconds(3));
                    victim.destroyForcibly(); // SIGKILL, as the kernel's OOM killer or a crashed host would
                    victim.onExit().get(10, TimeUnit.SECONDS);
                    long killedAt = System.nanoTime();
                    List<ProcessHandle> restarted = Eventually.poll(cluster::workers,
                            workers -> workers.size() == 2 && workers.stream().noneMatch(w -> w.pid() == victim.pid()),
                            Duration.ofMinutes(2));
                    assertThat(restarted).as("workers after the kill").hasSize(2);
                    report("worker " + victim.pid() + " killed; supervisor restarted it as "
                            + restarted.stream().map(ProcessHandle::pid).toList() + " after", killedAt);
                }
                load.awaitSent(Duration.ofMinutes(2));
            }
            long drainFrom = System.nanoTime();
            CountTables.assertExact(session, keyspace, truth, DRAIN);
            assertThat(truth.events()).isEqualTo(60_000);
            report("all 60,000 events exact after the worker kills; drained in", drainFrom);

            cluster.kill(NAME);
            assertThat(Eventually.poll(() -> cluster.topology(NAME).isEmpty() && cluster.workers().isEmpty(),
                    gone -> gone, Duration.ofMinutes(1))).as("topology and workers gone after the kill").isTrue();
            passed = true;
        } finally {
            container.stop();
            if (passed) {
                TestDirectories.delete(dir);
            } else {
                System.out.println("StormClusterTest: daemon and worker logs kept in " + dir.resolve("cluster/logs"));
            }
        }
        report("whole test", started);
    }

    private static String tallyYaml(String topic, String keyspace) {
        InetSocketAddress cassandra = RealServices.stack().cassandra().contactPoint();
        return """
                topology:
                  name: %s
                  workers: 2
                  spout_parallelism: 2
                  parallelism: 2
                  message_timeout_secs: 30
                kafka:
                  bootstrap_servers: %s
                  topics: [%s]
                  max_poll_records: 5000
                cassandra:
                  contact_points: ["%s:%d"]
                  local_datacenter: %s
                  keyspace: %s
                %s
                """.formatted(NAME, RealServices.stack().kafka().bootstrapServers(), topic,
                cassandra.getHostString(), cassandra.getPort(), RealServices.stack().cassandra().localDatacenter(),
                keyspace, TestTopologies.historicYaml());
    }

    private static void report(String what, long sinceNanos) {
        System.out.printf("StormClusterTest: %s %.1f s%n", what, (System.nanoTime() - sinceNanos) / 1e9);
    }
}
