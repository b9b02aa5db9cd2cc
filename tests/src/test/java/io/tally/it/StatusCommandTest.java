package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.it.support.CountTables;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.topology.cli.TallyCommand;
import io.tally.topology.config.TallyConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.storm.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/**
 * {@code tally status --json} against a running topology, as an operator runs it: lag 0 once the input is counted,
 * and the exact backlog while the topology is stopped and events keep coming.
 */
@ExtendWith(RealServices.class)
class StatusCommandTest {
    private static final String TOPIC = "status-events";

    @Test
    void statusReportsNoLagOnceCountedAndTheBacklogWhileStopped() throws Exception {
        String keyspace = TestKeyspaces.create("status");
        TestTopologies.createTopic(TOPIC, 2);
        TallyConfig config = TestTopologies.config("it-status", TOPIC, keyspace);
        Path dir = TestDirectories.create("it-status-");
        Path file = dir.resolve("tally.yaml");
        TestTopologies.writeConfigFile(file, config.name(), 1, TOPIC, 100_000, keyspace);
        EventGenerator generator = new EventGenerator(31L, Instant.parse("2026-11-19T00:00:00Z"), 24, 500);
        Truth truth = new Truth();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), TOPIC, 2)) {
            kafka.send(truth.generate(generator, 3_000));
            TestTopologies.submit(config);
            CountTables.assertExact(TestKeyspaces.session(), keyspace, truth, Duration.ofMinutes(2));
            JsonNode counted = status(file);
            assertThat(counted.path("kafkaLag").path(TOPIC).asLong(-1)).isZero();
            assertThat(counted.path("caughtUp").asBoolean()).isTrue();
            assertThat(counted.path("eventsCounted").asLong()).isEqualTo(3_000);
            assertThat(counted.path("lastCommittedBatch").asLong()).isPositive();

            TestTopologies.killQuietly(config.name());
            kafka.send(new Truth().generate(generator, 1_200));
            JsonNode backlog = status(file);
            assertThat(backlog.path("kafkaLag").path(TOPIC).asLong()).isEqualTo(1_200);
            assertThat(backlog.path("caughtUp").asBoolean()).isFalse();
            assertThat(backlog.path("eventsCounted").asLong()).isEqualTo(3_000);
        } finally {
            TestTopologies.killQuietly(config.name());
            TestDirectories.delete(dir);
        }
    }

    private static JsonNode status(Path file) throws Exception {
        Map<String, Object> trident = RealServices.stack().storm().transactionalConf();
        StringWriter out = new StringWriter();
        CommandLine tally = TallyCommand.commandLine().setOut(new PrintWriter(out));
        int exit = tally.execute("status", "--config", file.toString(), "--json", "--zookeeper",
                "127.0.0.1:" + trident.get(Config.TRANSACTIONAL_ZOOKEEPER_PORT));
        assertThat(exit).as("tally status exit code; output: " + out).isZero();
        return new ObjectMapper().readTree(out.toString());
    }
}
