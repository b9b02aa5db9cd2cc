package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.collector.CollectorSettings;
import io.tally.collector.KafkaSink;
import io.tally.collector.Refusal;
import io.tally.collector.http.CollectorServer;
import io.tally.it.support.RealServices;
import io.tally.it.support.SdkWorkload;
import io.tally.it.support.SegmentSdk;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.TopicRecords;
import io.tally.topology.config.TallyConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The collector on the real Kafka, driven by Segment's own analytics-java pointed at it: 100,000 calls (track, page
 * and identify, some from anonymous users, 1% that the topology must reject) and 1,000 sent again by the app with
 * the same messageId. Every call is in the topic exactly as sent (plus the collector's receivedAt, the SDK's sentAt
 * and context), and the topology's hourly counts, distinct users per day and rejections per reason equal the truth
 * computed from the calls. Then the door: bad write keys, limits, gzip and an unreachable Kafka.
 */
@ExtendWith(RealServices.class)
class SegmentCollectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WRITE_KEY = "it-backend-key";
    private static final int PARTITIONS = 4;
    private static final int EVENTS = 100_000;
    private static final int USERS = 2_000;
    /** Every hundredth call is one the topology rejects (too late, too far ahead, reserved name, long id). */
    private static final int REJECT_EVERY = 100;
    private static final int RESENT = 1_000;

    @Test
    void segmentsSdkEventsLandInKafkaAsSentAndAreCountedExactlyOnce() throws Exception {
        String topic = "collector-events";
        TestTopologies.createTopic(topic, PARTITIONS);
        Instant now = Instant.now();
        SdkWorkload workload = SdkWorkload.of(EVENTS, USERS, REJECT_EVERY, now);
        Map<String, SdkWorkload.Call> calls = workload.byMessageId();
        List<SdkWorkload.Call> toSend = new ArrayList<>(workload.calls());
        for (int i = 0; toSend.size() < EVENTS + RESENT; i++) { // the app sends some again with the same messageId
            SdkWorkload.Call again = workload.calls().get(i * 37 % EVENTS);
            if (again.counted()) {
                toSend.add(again);
            }
        }
        Map<String, Integer> copies = new HashMap<>();
        toSend.forEach(call -> copies.merge(call.messageId(), 1, Integer::sum));

        Instant started = Instant.now();
        try (CollectorServer collector = CollectorServer.start(settings(topic).build());
                SegmentSdk sdk = new SegmentSdk(WRITE_KEY, "http://127.0.0.1:" + collector.port(), 1_000, 2, 5)) {
            toSend.forEach(call -> sdk.enqueue(SdkWorkload.builder(call)));
            sdk.awaitReported(Duration.ofMinutes(3));
            assertThat(sdk.failures()).as("messages the SDK gave up on").isZero();
            assertThat(sdk.retries()).as("batches the SDK sent again").isZero();
            assertThat(sdk.succeeded()).isEqualTo(copies);
            assertThat(collector.metrics().events("backend")).isEqualTo(toSend.size());
        }
        Instant finished = Instant.now();
        System.out.printf("SegmentCollectorTest: the SDK sent %,d calls through the collector in %,d ms%n",
                toSend.size(), Duration.between(started, finished).toMillis());

        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(topic, toSend.size());
        assertThat(records).hasSize(toSend.size());
        Map<String, Integer> inKafka = new HashMap<>();
        Map<String, Integer> partitionOfUser = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JsonNode json = JSON.readTree(record.value());
            String messageId = json.get("messageId").asText();
            inKafka.merge(messageId, 1, Integer::sum);
            SdkWorkload.Call call = calls.get(messageId);
            assertThat(call).as(messageId).isNotNull();
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(call.user());
            assertThat(json.path(call.anonymous() ? "anonymousId" : "userId").asText()).isEqualTo(call.user());
            JsonNode otherId = json.path(call.anonymous() ? "userId" : "anonymousId");
            assertThat(otherId.isMissingNode() || otherId.isNull()).as("the id not set").isTrue();
            assertThat(partitionOfUser.computeIfAbsent(call.user(), u -> record.partition())).as("one user, one partition")
                    .isEqualTo(record.partition());
            assertThat(new String(record.headers().lastHeader(KafkaSink.SOURCE_HEADER).value(), StandardCharsets.UTF_8))
                    .isEqualTo("backend");
            assertThat(Instant.parse(json.get("timestamp").asText()).toEpochMilli()).isEqualTo(call.timeMillis());
            Instant receivedAt = Instant.parse(json.get("receivedAt").asText());
            assertThat(receivedAt).isBetween(started.truncatedTo(ChronoUnit.MILLIS), finished);
            assertThat(Instant.parse(json.get("sentAt").asText())).isBetween(started.minusSeconds(1), finished);
            assertThat(json.path("context").path("library").path("name").asText()).isEqualTo("analytics-java");
            assertThat(json.has("writeKey")).isFalse();
            switch (call.kind()) {
                case PAGE -> {
                    assertThat(json.get("type").asText()).isEqualTo("page");
                    assertThat(json.get("name").asText()).isEqualTo("Home");
                    assertThat(json.get("properties").get("path").asText()).isEqualTo("/home/" + (call.index() % 7));
                }
                case IDENTIFY -> {
                    assertThat(json.get("type").asText()).isEqualTo("identify");
                    assertThat(json.get("traits").get("email").asText()).isEqualTo(call.user() + "@example.com");
                }
                default -> {
                    assertThat(json.get("type").asText()).isEqualTo("track");
                    assertThat(json.get("event").asText()).isEqualTo(call.countName());
                    assertThat(json.get("properties").get("n").asInt()).isEqualTo(call.index());
                }
            }
        }
        assertThat(inKafka).isEqualTo(copies);

        String keyspace = TestKeyspaces.create("collector");
        TallyConfig config = TestTopologies.config("it-collector", topic, keyspace);
        CqlSession session = TestKeyspaces.session();
        try {
            Instant submitted = Instant.now();
            TestTopologies.submit(config);
            workload.assertCountedExactly(session, keyspace, copies, started, finished);
            System.out.printf("SegmentCollectorTest: the topology counted %,d records in %,d ms (from submission)%n",
                    toSend.size(), Duration.between(submitted, Instant.now()).toMillis());
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    @Test
    void theDoorRefusesBadRequestsWritesNothingOfThemAndAcceptsGzip() throws Exception {
        String topic = "collector-door";
        TestTopologies.createTopic(topic, 1);
        HttpClient http = HttpClient.newHttpClient();
        String event = "{\"userId\":\"u\",\"event\":\"Door\",\"messageId\":\"%s\"}";
        try (CollectorServer collector = CollectorServer.start(settings(topic).build())) {
            String base = "http://127.0.0.1:" + collector.port();
            HttpResponse<String> unknownKey = http.send(post(base + "/v1/track", basic("not-a-key"), null,
                    event.formatted("x1").getBytes(StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> noKey = http.send(post(base + "/v1/track", null, null,
                    event.formatted("x2").getBytes(StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> tooBig = http.send(post(base + "/v1/track", basic(WRITE_KEY), null,
                    ("{\"userId\":\"u\",\"event\":\"Big\",\"properties\":{\"p\":\"" + "x".repeat(33_000) + "\"}}")
                            .getBytes(StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
            StringBuilder batch = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < 20; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
                        + "\"properties\":{\"p\":\"").append("y".repeat(30_000)).append("\"}}");
            }
            HttpResponse<String> batchTooBig = http.send(post(base + "/v1/batch", basic(WRITE_KEY), null,
                    batch.append("]}").toString().getBytes(StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> malformed = http.send(post(base + "/v1/batch", basic(WRITE_KEY), null,
                    "{\"batch\":[".getBytes(StandardCharsets.UTF_8)), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> gzipped = http.send(post(base + "/v1/batch", null, "gzip",
                    gzip("{\"writeKey\":\"" + WRITE_KEY + "\",\"batch\":[{\"type\":\"track\"," + event.formatted("ok")
                            .substring(1) + "]}")), HttpResponse.BodyHandlers.ofString());

            assertThat(unknownKey.statusCode()).isEqualTo(401);
            assertThat(noKey.statusCode()).isEqualTo(401);
            assertThat(tooBig.statusCode()).isEqualTo(400);
            assertThat(tooBig.body()).contains("\"error\":\"message_too_large\"").contains("message_limit 32768 bytes");
            assertThat(batchTooBig.statusCode()).isEqualTo(400);
            assertThat(batchTooBig.body()).contains("\"error\":\"batch_too_large\"").contains("batch_limit 512000 bytes");
            assertThat(malformed.statusCode()).isEqualTo(400);
            assertThat(malformed.body()).contains("\"error\":\"malformed_json\"");
            assertThat(gzipped.statusCode()).as(gzipped.body()).isEqualTo(200);
            assertThat(collector.metrics().refusals(Refusal.UNAUTHORIZED)).isEqualTo(2);
        }
        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.readAll(topic, 1);
        assertThat(records).hasSize(1);
        JsonNode only = JSON.readTree(records.get(0).value());
        assertThat(only.get("messageId").asText()).isEqualTo("ok");
        assertThat(only.get("event").asText()).isEqualTo("Door");
    }

    @Test
    void anUnreachableKafkaIs503WithRetryAfterNotAHang() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CollectorSettings settings = CollectorSettings.builder("127.0.0.1:" + closedPort, "nowhere").port(0)
                .source("backend", WRITE_KEY).kafkaTimeoutMillis(1_000).retryAfterSeconds(4).build();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (CollectorServer collector = CollectorServer.start(settings)) {
            String base = "http://127.0.0.1:" + collector.port();
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(post(base + "/v1/track", basic(WRITE_KEY), null,
                    "{\"userId\":\"u\",\"event\":\"Lost\"}".getBytes(StandardCharsets.UTF_8)),
                    HttpResponse.BodyHandlers.ofString());
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("4");
            assertThat(response.body()).contains("\"error\":\"kafka_unavailable\"");
            // Bounded by the Kafka timeout (metadata wait, then delivery); the slack is for a busy machine.
            assertThat(tookMillis).as("answered, not hung").isLessThan(10_000);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"kafka\":\"failing\"");
        }
    }

    private static CollectorSettings.Builder settings(String topic) {
        return CollectorSettings.builder(RealServices.stack().kafka().bootstrapServers(), topic).port(0)
                .source("backend", WRITE_KEY);
    }

    private static HttpRequest post(String url, String authorization, String encoding, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return request.build();
    }

    private static String basic(String writeKey) {
        return "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
