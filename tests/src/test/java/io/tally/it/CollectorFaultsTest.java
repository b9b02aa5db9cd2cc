package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.it.support.Eventually;
import io.tally.it.support.RealServices;
import io.tally.it.support.SdkWorkload;
import io.tally.it.support.SegmentSdk;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.TopicRecords;
import io.tally.local.server.CollectorProcess;
import io.tally.topology.config.TallyConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The collector's guarantees under faults, with Segment's analytics-java as the client: a 200 means in Kafka, so
 * whatever the SDK's callback reported delivered is in the topic and counted, and what the SDK sends again after a
 * fault (same messageId) is counted once.
 */
@ExtendWith(RealServices.class)
class CollectorFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WRITE_KEY = "it-faults-key";
    private static final int PARTITIONS = 4;
    private static final int EVENTS = 30_000;
    private static final int USERS = 1_000;

    /**
     * The collector runs in its own JVM and is killed with SIGKILL while the SDK sends (requests in flight, some
     * records perhaps written but not answered), then started again on the same port. The SDK retries what got no
     * answer; nothing it was told was delivered is missing, and the counts are exact.
     */
    @Test
    void aCollectorKilledMidSendLosesNothingAcknowledgedAndTheRetriesAreCountedOnce() throws Exception {
        String topic = "collector-kill";
        TestTopologies.createTopic(topic, PARTITIONS);
        Path dir = TestDirectories.create("collector-kill-");
        Path configFile = writeConfig(dir, topic);
        SdkWorkload workload = SdkWorkload.of(EVENTS, USERS, 0, Instant.now());
        Instant started = Instant.now();
        CollectorProcess collector = CollectorProcess.start(configFile, 0, List.of("-Xmx256m"),
                dir.resolve("collector.log"), Map.of("IT_WRITE_KEY", WRITE_KEY));
        int port = collector.port();
        Map<String, Integer> deliveredBeforeKill;
        SegmentSdk sdk = new SegmentSdk(WRITE_KEY, collector.url(), 100, 4, 6);
        try {
            Thread sender = sendPaced(sdk, workload.calls(), 5_000);
            Eventually.poll(sdk::successes, n -> n >= EVENTS * 3 / 10, Duration.ofMinutes(2));
            deliveredBeforeKill = sdk.succeeded();
            long pid = collector.pid();
            collector.kill();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("killed").isFalse();
            System.out.printf("CollectorFaultsTest: collector pid %d killed with SIGKILL after %,d of %,d delivered%n",
                    pid, deliveredBeforeKill.size(), EVENTS);
            Eventually.sleep(Duration.ofSeconds(1));
            collector = collector.startAgain();
            assertThat(collector.port()).isEqualTo(port);
            sender.join();
            sdk.awaitReported(Duration.ofMinutes(4));

            assertThat(sdk.failures()).as("messages the SDK gave up on").isZero();
            assertThat(sdk.retries()).as("batches the SDK sent again after the kill").isPositive();
            assertThat(sdk.succeeded()).as("every call delivered once as the SDK sees it").hasSize(EVENTS)
                    .allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
            System.out.printf("CollectorFaultsTest: the SDK retried %d batches%n", sdk.retries());
        } finally {
            sdk.close();
            collector.close();
        }
        Instant finished = Instant.now();

        Map<String, Integer> copies = assertInKafkaOnceOrRepeated(topic, workload, deliveredBeforeKill);
        assertCounted(workload, topic, copies, started, finished, "it-collector-kill");
        TestDirectories.delete(dir);
    }

    /**
     * Reads the topic: every call is there, everything delivered before the fault among them, and a call written more
     * than once (the SDK's retry of a request whose answer was lost) is the same message each time, only its
     * receivedAt differing. Returns the copies of each messageId.
     */
    private static Map<String, Integer> assertInKafkaOnceOrRepeated(String topic, SdkWorkload workload,
            Map<String, Integer> deliveredBeforeFault) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(topic, EVENTS);
        Map<String, Integer> copies = new HashMap<>();
        Map<String, ObjectNode> first = new HashMap<>();
        int repeated = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            ObjectNode json = (ObjectNode) JSON.readTree(record.value());
            String messageId = json.get("messageId").asText();
            copies.merge(messageId, 1, Integer::sum);
            json.remove("receivedAt");
            ObjectNode earlier = first.putIfAbsent(messageId, json);
            if (earlier != null) {
                repeated++;
                assertThat((JsonNode) json).as("a repeated " + messageId).isEqualTo(earlier);
            }
        }
        assertThat(copies.keySet()).as("every call in Kafka").isEqualTo(workload.byMessageId().keySet());
        assertThat(copies.keySet()).as("delivered before the fault").containsAll(deliveredBeforeFault.keySet());
        System.out.printf("CollectorFaultsTest: %s has %,d records, %,d of them repeats of a messageId%n", topic,
                records.size(), repeated);
        return copies;
    }

    private static void assertCounted(SdkWorkload workload, String topic, Map<String, Integer> copies,
            Instant started, Instant finished, String name) {
        String keyspace = TestKeyspaces.create(name.replace("it-", "").replace('-', '_'));
        TallyConfig config = TestTopologies.config(name, topic, keyspace);
        try {
            TestTopologies.submit(config);
            workload.assertCountedExactly(TestKeyspaces.session(), keyspace, copies, started, finished);
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    /** Enqueues the calls at about {@code perSecond} on a thread of its own, as an app's traffic arrives. */
    private static Thread sendPaced(SegmentSdk sdk, List<SdkWorkload.Call> calls, int perSecond) {
        Thread sender = new Thread(() -> {
            long start = System.nanoTime();
            for (int i = 0; i < calls.size(); i++) {
                sdk.enqueue(SdkWorkload.builder(calls.get(i)));
                long due = start + i * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    Eventually.sleep(Duration.ofNanos(wait));
                }
            }
        }, "sdk-app");
        sender.start();
        return sender;
    }

    /** A tally.yaml for the collector, its write key from the environment as in production. */
    private static Path writeConfig(Path dir, String topic) throws IOException {
        Path file = dir.resolve("tally.yaml");
        Files.writeString(file, String.join("\n",
                "kafka:",
                "  bootstrap_servers: " + RealServices.stack().kafka().bootstrapServers(),
                "  topics: [" + topic + "]",
                "collector:",
                "  sources:",
                "    - {name: backend, write_key: \"${IT_WRITE_KEY}\"}",
                ""));
        return file;
    }
}
