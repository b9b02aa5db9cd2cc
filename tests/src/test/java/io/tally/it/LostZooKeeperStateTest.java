package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.CountTables;
import io.tally.it.support.HourKey;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.state.progress.ProgressLedger;
import io.tally.testsupport.Eventually;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.progress.TridentProgressCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.storm.Config;
import org.apache.storm.shade.org.apache.curator.framework.CuratorFramework;
import org.apache.storm.shade.org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.storm.shade.org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ZooKeeper loses a topology's Trident state (its root deleted, as a new ZooKeeper would have none) while Cassandra
 * keeps the counts: the topology refuses to run, writes nothing and says why, in the workers and before submission;
 * resumed on purpose, it reads its topic again from the start and counts only what it had not counted.
 */
@ExtendWith(RealServices.class)
class LostZooKeeperStateTest {
    private static final int PARTITIONS = 2;
    private static final Duration DRAIN = Duration.ofMinutes(2);

    @Test
    void lostTridentStateIsRefusedAndResumedExactlyWhenAsked() throws Exception {
        String topic = "lost-zk-events";
        String keyspace = TestKeyspaces.create("lostzk");
        TestTopologies.createTopic(topic, PARTITIONS);
        TallyConfig config = TestTopologies.smallBatches("it-lost-zk", topic, keyspace);
        EventGenerator generator = new EventGenerator(20261206L, Instant.parse("2026-11-17T00:00:00Z"), 48, 5_000);
        Truth truth = new Truth();
        CqlSession session = TestKeyspaces.session();
        Map<String, Object> zookeeper = RealServices.stack().storm().transactionalConf();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, PARTITIONS)) {
            kafka.send(truth.generate(generator, 20_000));
            TestTopologies.submit(config);
            CountTables.assertExact(session, keyspace, truth, DRAIN);
            RealServices.stack().storm().kill(config.name());
            // One ledger row per guarded stage that committed batches, rewritten once per batch: the counts stage
            // records once for all its tables (before, one row per count table).
            assertThat(ledgerStates(session, keyspace, config.name())).containsExactlyInAnyOrder(
                    TallyTopology.DEDUP_STATE, TallyTopology.USER_DAYS, TallyTopology.COUNTS_STAGE);

            deleteZooKeeperRoot(zookeeper, TallyTopology.transactionalRoot(config));
            Map<HourKey, Long> countedBefore = CountTables.hourly(session, keyspace);
            kafka.send(truth.generate(generator, 5_000));

            // Submitted anyway (as a restarted worker would run): every batch refused, nothing written.
            TestTopologies.submit(config);
            List<String> errors = Eventually.poll(() -> RealServices.stack().storm().reportedErrors(config.name()),
                    reported -> reported.stream().anyMatch(e -> e.contains("Refusing to run topology 'it-lost-zk'")),
                    DRAIN);
            assertThat(errors).anyMatch(e -> e.contains("ZooKeeper has lost or rolled back this topology's progress")
                    && e.contains("--resume-lost-progress"));
            Eventually.sleep(Duration.ofSeconds(5));
            assertThat(CountTables.hourly(session, keyspace)).isEqualTo(countedBefore);
            RealServices.stack().storm().kill(config.name());

            TridentProgressCheck check = new TridentProgressCheck(config, zookeeper);
            Optional<String> refusal = check.refusal();
            assertThat(refusal).hasValueSatisfying(text -> assertThat(text)
                    .contains("keyspace '" + keyspace + "' records that its state")
                    .contains("would start at batch 1"));

            // Resumed on purpose: batches continue after the recorded one, the topic is read from its start, and
            // the de-duplication stage drops the 20,000 events it had counted.
            assertThat(check.resume()).hasValueSatisfying(next -> assertThat(next).isGreaterThan(2L));
            assertThat(check.refusal()).isEmpty();
            TestTopologies.submit(config);
            CountTables.assertExact(session, keyspace, truth, DRAIN);
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    private static List<String> ledgerStates(CqlSession session, String keyspace, String topology) {
        return session.execute("SELECT state FROM " + keyspace + "." + ProgressLedger.TABLE + " WHERE topology = ?",
                topology).all().stream().map(row -> row.getString("state")).toList();
    }

    private static void deleteZooKeeperRoot(Map<String, Object> zookeeper, String root) throws Exception {
        String connect = ((List<?>) zookeeper.get(Config.TRANSACTIONAL_ZOOKEEPER_SERVERS)).get(0) + ":"
                + zookeeper.get(Config.TRANSACTIONAL_ZOOKEEPER_PORT);
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(500))) {
            client.start();
            client.blockUntilConnected();
            client.delete().deletingChildrenIfNeeded().forPath(root);
            assertThat(client.checkExists().forPath(root)).isNull();
        }
    }
}
