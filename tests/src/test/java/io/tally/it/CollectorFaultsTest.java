package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.collector.CollectorSettings;
import io.tally.collector.Refusal;
import io.tally.collector.http.CollectorServer;
import io.tally.it.support.RealServices;
import io.tally.it.support.SdkWorkload;
import io.tally.it.support.SegmentSdk;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.TopicRecords;
import io.tally.local.server.CollectorProcess;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
     * The Kafka broker is stopped (by its launcher, cleanly) while the SDK sends, left down for 10 s and started again
     * on the same port and data. Meanwhile the collector answers 503 {@code kafka_unavailable} with
     * {@code Retry-After} within its Kafka timeout (a probe sending one call every 200 ms sees them), then 200 again
     * once the broker is back; the SDK's retries deliver everything, nothing delivered is lost, and the counts
     * (the probe's calls included, each sent until it got a 200) are exact.
     */
    @Test
    void kafkaStoppedTenSecondsUnderLoadIs503WithRetryAfterThenRecovers() throws Exception {
        String topic = "collector-outage";
        TestTopologies.createTopic(topic, PARTITIONS);
        SdkWorkload workload = SdkWorkload.of(EVENTS, USERS, 0, Instant.now());
        Instant started = Instant.now();
        CollectorSettings settings = CollectorSettings.builder(RealServices.stack().kafka().bootstrapServers(), topic)
                .port(0).source("backend", WRITE_KEY).kafkaTimeoutMillis(2_000).retryAfterSeconds(3).build();
        Map<String, Integer> deliveredBeforeOutage;
        Instant down;
        Instant up;
        Probe probe;
        try (CollectorServer collector = CollectorServer.start(settings);
                SegmentSdk sdk = new SegmentSdk(WRITE_KEY, "http://127.0.0.1:" + collector.port(), 100, 8, 6)) {
            probe = new Probe("http://127.0.0.1:" + collector.port(), workload.calls().get(EVENTS - 1).timeMillis());
            Thread sender = sendPaced(sdk, workload.calls(), 1_500);
            Eventually.poll(sdk::successes, n -> n >= EVENTS / 5, Duration.ofMinutes(2));
            deliveredBeforeOutage = sdk.succeeded();
            down = Instant.now();
            RealServices.stack().restartKafka(Duration.ofSeconds(10)); // returns once the broker is back
            up = Instant.now();
            System.out.printf("CollectorFaultsTest: Kafka down from %s to %s, %,d of %,d delivered before%n", down, up,
                    deliveredBeforeOutage.size(), EVENTS);
            sender.join();
            sdk.awaitReported(Duration.ofMinutes(4));
            probe.stop();
            probe.sendUnansweredUntil200(Duration.ofMinutes(1));

            assertThat(sdk.failures()).as("messages the SDK gave up on").isZero();
            assertThat(sdk.retries()).as("batches the SDK sent again after a 503").isPositive();
            assertThat(sdk.succeeded()).as("every call delivered once as the SDK sees it").hasSize(EVENTS)
                    .allSatisfy((id, times) -> assertThat(times).isEqualTo(1));
            assertThat(collector.metrics().refusals(Refusal.KAFKA_UNAVAILABLE)).as("503 kafka_unavailable")
                    .isPositive();
            System.out.printf("CollectorFaultsTest: the SDK retried %d batches; the collector answered %.0f requests"
                    + " 503 kafka_unavailable%n", sdk.retries(), collector.metrics().refusals(Refusal.KAFKA_UNAVAILABLE));
        }
        Instant finished = Instant.now();

        List<Probe.Answer> answers = probe.answers();
        System.out.printf("CollectorFaultsTest: probe answers %s%n", answers.stream()
                .map(a -> Duration.between(down, a.sent()).toMillis() + "ms:" + a.status() + "(" + a.took().toMillis()
                        + "ms)").toList());
        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.toString()).isIn(200, 503));
        // At most the Kafka timeout for a worker, for metadata and for the acknowledgements; slack for a busy machine.
        assertThat(answers).allSatisfy(a -> assertThat(a.took()).as("answered, not hung: " + a)
                .isLessThan(Duration.ofSeconds(10)));
        List<Probe.Answer> refused = answers.stream().filter(a -> a.status() == 503).toList();
        assertThat(refused).as("503s while Kafka was down").isNotEmpty()
                .anySatisfy(a -> assertThat(a.body()).contains("\"error\":\"kafka_unavailable\""));
        assertThat(refused).allSatisfy(a -> {
            // A request that waited for a worker held by Kafka's timeout is refused as overloaded, as rightly.
            assertThat(a.body()).containsAnyOf("\"error\":\"kafka_unavailable\"", "\"error\":\"overloaded\"");
            assertThat(a.retryAfter()).isEqualTo("3");
            // Sent while the broker was stopping, down or starting (a request in hand when it stopped gets a 503 too).
            assertThat(a.sent()).isBetween(down.minusSeconds(4), up.plusSeconds(4));
        });
        Instant recovered = answers.stream().filter(a -> a.status() == 200 && a.sent().isAfter(up))
                .map(Probe.Answer::sent).findFirst().orElseThrow();
        assertThat(answers).filteredOn(a -> a.sent().isAfter(recovered)).as("200 once recovered")
                .allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
        assertThat(Duration.between(up, recovered)).as("recovery after the broker is back").isLessThan(Duration.ofSeconds(30));
        System.out.printf("CollectorFaultsTest: %d probe calls answered 503; the first 200 %,d ms after Kafka was"
                + " back%n", refused.size(), Duration.between(up, recovered).toMillis());

        SdkWorkload all = workload.plus(probe.calls());
        Map<String, Integer> copies = assertInKafkaOnceOrRepeated(topic, all, deliveredBeforeOutage);
        assertCounted(all, topic, copies, started, finished, "it-collector-outage");
    }

    /**
     * Reads the topic: every call is there, everything delivered before the fault among them, and a call written more
     * than once (the SDK's retry of a request whose answer was lost) is the same message each time, only its
     * receivedAt differing. Returns the copies of each messageId.
     */
    private static Map<String, Integer> assertInKafkaOnceOrRepeated(String topic, SdkWorkload workload,
            Map<String, Integer> deliveredBeforeFault) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(topic, workload.calls().size());
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

    /**
     * One track call every 200 ms to the collector by plain HTTP, each answer kept with its status, Retry-After and
     * how long it took; a call not answered 200 is sent again later, as a client should.
     */
    private static final class Probe {
        record Answer(Instant sent, Duration took, int status, String retryAfter, String body) {
        }

        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String url;
        private final long timeMillis;
        private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        private final List<SdkWorkload.Call> calls = Collections.synchronizedList(new ArrayList<>());
        private final Set<SdkWorkload.Call> unanswered = ConcurrentHashMap.newKeySet();
        private final Thread thread;
        private volatile boolean running = true;

        Probe(String url, long timeMillis) {
            this.url = url;
            this.timeMillis = timeMillis;
            thread = new Thread(() -> {
                for (int i = 0; running; i++) {
                    SdkWorkload.Call call = new SdkWorkload.Call(EVENTS + i, SdkWorkload.Kind.TRACK, "probe-" + i,
                            "probe-user", false, timeMillis);
                    calls.add(call);
                    if (send(call, true) != 200) {
                        unanswered.add(call);
                    }
                    Eventually.sleep(Duration.ofMillis(200));
                }
            }, "collector-probe");
            thread.start();
        }

        int send(SdkWorkload.Call call, boolean record) {
            String body = "{\"userId\":\"" + call.user() + "\",\"event\":\"" + call.countName() + "\",\"messageId\":\""
                    + call.messageId() + "\",\"timestamp\":\"" + Instant.ofEpochMilli(timeMillis)
                    + "\",\"properties\":{\"n\":" + call.index() + "}}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/track"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            Instant sent = Instant.now();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (record) {
                    answers.add(new Answer(sent, Duration.between(sent, Instant.now()), response.statusCode(),
                            response.headers().firstValue("Retry-After").orElse(null), response.body()));
                }
                return response.statusCode();
            } catch (IOException | InterruptedException e) {
                if (record) {
                    answers.add(new Answer(sent, Duration.between(sent, Instant.now()), -1, null, e.toString()));
                }
                return -1;
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        /** Sends each call not yet answered 200 again, until it is. */
        void sendUnansweredUntil200(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!unanswered.isEmpty() && System.nanoTime() < deadline) {
                unanswered.removeIf(call -> send(call, false) == 200);
            }
            assertThat(unanswered).as("probe calls never answered 200").isEmpty();
        }

        List<Answer> answers() {
            return List.copyOf(answers);
        }

        List<SdkWorkload.Call> calls() {
            return List.copyOf(calls);
        }
    }
}
