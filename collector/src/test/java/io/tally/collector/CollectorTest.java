package io.tally.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectorTest {
    private static final String TRACK = "{\"userId\":\"u1\",\"event\":\"Played\",\"messageId\":\"m1\"}";
    private final RecordingSink sink = new RecordingSink();
    private Collector collector;

    private Collector collector(CollectorSettings.Builder settings) {
        collector = new Collector(settings.build(), sink, new CollectorMetrics(),
                Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC));
        return collector;
    }

    private static CollectorSettings.Builder settings() {
        return CollectorSettings.builder("127.0.0.1:1", "events").source("web", "web-key").source("ios", "ios-key");
    }

    @AfterEach
    void close() {
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void theWriteKeyComesFromBasicAuthOrTheBodyAndNamesTheSource() throws Exception {
        Collector c = collector(settings());

        assertThat(c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK)).get().status()).isEqualTo(200);
        assertThat(c.handle(Endpoint.TRACK, null, null,
                bytes("{\"writeKey\":\"ios-key\",\"userId\":\"u\",\"event\":\"e\"}")).get().status()).isEqualTo(200);

        assertThat(sink.published).extracting(RecordingSink.Published::source).containsExactly("web", "ios");
        assertThat(c.metrics().events("web")).isEqualTo(1);
        assertThat(c.metrics().events("ios")).isEqualTo(1);
    }

    @Test
    void unknownOrMissingWriteKeysGet401AndNothingIsWritten() throws Exception {
        Collector c = collector(settings());

        for (Collector.Reply reply : List.of(
                c.handle(Endpoint.TRACK, basic("wrong", ""), null, bytes(TRACK)).get(),
                c.handle(Endpoint.TRACK, null, null, bytes(TRACK)).get(),
                c.handle(Endpoint.BATCH, null, null, bytes("{\"writeKey\":\"nope\",\"batch\":[" + TRACK + "]}")).get(),
                c.handle(Endpoint.TRACK, "Bearer web-key", null, bytes(TRACK)).get(),
                // A known key in the body does not rescue a wrong one in the header.
                c.handle(Endpoint.TRACK, basic("wrong", ""), null,
                        bytes("{\"writeKey\":\"web-key\",\"userId\":\"u\",\"event\":\"e\"}")).get())) {
            assertThat(reply.status()).isEqualTo(401);
            assertThat(reply.body()).contains("\"error\":\"unauthorized\"").doesNotContain("wrong").doesNotContain("nope");
        }
        assertThat(sink.published).isEmpty();
        assertThat(c.metrics().refusals(Refusal.UNAUTHORIZED)).isEqualTo(5);
    }

    @Test
    void theAnswerWaitsForKafkasAcknowledgement() throws Exception {
        Collector c = collector(settings());
        CompletableFuture<Void> ack = new CompletableFuture<>();
        sink.answer = () -> ack;

        CompletableFuture<Collector.Reply> reply = c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK));
        Thread.sleep(200);
        assertThat(reply).isNotDone();
        ack.complete(null);

        assertThat(reply.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(reply.get().body()).isEqualTo("{\"success\":true}");
    }

    @Test
    void aKafkaFailureIs503WithRetryAfterAndHealthSaysSo() throws Exception {
        Collector c = collector(settings().retryAfterSeconds(7));
        sink.answer = () -> CompletableFuture.failedFuture(new TimeoutException("no broker"));

        Collector.Reply reply = c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK)).get();

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.retryAfterSeconds()).isEqualTo(7);
        assertThat(reply.body()).contains("\"error\":\"kafka_unavailable\"");
        assertThat(c.health().body()).contains("\"kafka\":\"failing\"");

        sink.answer = () -> CompletableFuture.completedFuture(null);
        assertThat(c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK)).get().status()).isEqualTo(200);
        assertThat(c.health().body()).contains("\"kafka\":\"ok\"");
    }

    @Test
    void acknowledgementsThatNeverComeAre503WithinTheKafkaTimeout() throws Exception {
        Collector c = collector(settings().kafkaTimeoutMillis(300).retryAfterSeconds(2));
        sink.answer = CompletableFuture::new; // never completed, as by a producer that misses its own timeout

        long start = System.nanoTime();
        Collector.Reply reply = c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK)).get(5, TimeUnit.SECONDS);

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 3_000L);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.retryAfterSeconds()).isEqualTo(2);
        assertThat(reply.body()).contains("\"error\":\"kafka_unavailable\"");
        assertThat(c.metrics().refusals(Refusal.KAFKA_UNAVAILABLE)).isEqualTo(1);
    }

    @Test
    void aRequestThatWaitedForAWorkerLongerThanTheKafkaTimeoutIs503Overloaded() throws Exception {
        Collector c = collector(settings().workerThreads(1).kafkaTimeoutMillis(200).retryAfterSeconds(2));
        CountDownLatch release = new CountDownLatch(1);
        sink.blockUntil = release; // the one worker is held, as by a producer waiting for metadata

        CompletableFuture<Collector.Reply> first = c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK));
        Thread.sleep(50);
        CompletableFuture<Collector.Reply> queued = c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK));
        Thread.sleep(400);
        sink.blockUntil = null;
        release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
        Collector.Reply late = queued.get(5, TimeUnit.SECONDS);
        assertThat(late.status()).isEqualTo(503);
        assertThat(late.retryAfterSeconds()).isEqualTo(2);
        assertThat(late.body()).contains("\"error\":\"overloaded\"").contains("waited");
        assertThat(sink.published).hasSize(1);
    }

    @Test
    void eachWriteKeyHasItsOwnRateLimit() throws Exception {
        Collector c = collector(settings().rateLimit(1, 3));
        String batchOfTwo = "{\"batch\":[" + TRACK + "," + TRACK + "]}";

        assertThat(c.handle(Endpoint.BATCH, basic("web-key", ""), null, bytes(batchOfTwo)).get().status()).isEqualTo(200);
        Collector.Reply limited = c.handle(Endpoint.BATCH, basic("web-key", ""), null, bytes(batchOfTwo)).get();
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.retryAfterSeconds()).isEqualTo(1);
        assertThat(limited.body()).contains("\"error\":\"rate_limited\"");
        // The other key's bucket is untouched.
        assertThat(c.handle(Endpoint.BATCH, basic("ios-key", ""), null, bytes(batchOfTwo)).get().status()).isEqualTo(200);
        assertThat(sink.events()).isEqualTo(4);
    }

    @Test
    void aFullQueueIs503AtOnceNotAnUnboundedBacklog() throws Exception {
        Collector c = collector(settings().workerThreads(1).maxQueuedRequests(2).retryAfterSeconds(3));
        CountDownLatch release = new CountDownLatch(1);
        sink.blockUntil = release;

        List<CompletableFuture<Collector.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 5; i++) { // one on the worker, two queued, two refused
            replies.add(c.handle(Endpoint.TRACK, basic("web-key", ""), null, bytes(TRACK)));
            Thread.sleep(50);
        }
        assertThat(replies.get(3).get(1, TimeUnit.SECONDS).status()).isEqualTo(503);
        assertThat(replies.get(4).get(1, TimeUnit.SECONDS).body()).contains("\"error\":\"overloaded\"");
        release.countDown();
        sink.blockUntil = null;

        assertThat(replies.subList(0, 3)).allSatisfy(r -> assertThat(r.get(5, TimeUnit.SECONDS).status()).isEqualTo(200));
        assertThat(c.metrics().refusals(Refusal.OVERLOADED)).isEqualTo(2);
    }

    @Test
    void badInputIsRefusedAndCountedByReason() throws Exception {
        Collector c = collector(settings().maxMessageBytes(200).maxBatchBytes(1000));

        Collector.Reply tooLarge = c.handle(Endpoint.TRACK, basic("web-key", ""), null,
                bytes("{\"userId\":\"u\",\"event\":\"" + "e".repeat(300) + "\"}")).get();
        Collector.Reply bomb = c.handle(Endpoint.BATCH, basic("web-key", ""), "gzip",
                SegmentPayloadsTest.gzip(new byte[100_000])).get();
        Collector.Reply malformed = c.handle(Endpoint.BATCH, basic("web-key", ""), null, bytes("{\"batch\":")).get();

        assertThat(tooLarge.status()).isEqualTo(400);
        assertThat(tooLarge.body()).contains("\"error\":\"message_too_large\"").contains("message_limit 200 bytes");
        assertThat(bomb.status()).isEqualTo(400);
        assertThat(bomb.body()).contains("\"error\":\"batch_too_large\"").contains("batch_limit 1000 bytes");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"error\":\"malformed_json\"");
        assertThat(sink.published).isEmpty();
        assertThat(c.metrics().scrape())
                .contains("collector_rejections_total{reason=\"message_too_large\"} 1.0")
                .contains("collector_rejections_total{reason=\"batch_too_large\"} 1.0")
                .contains("collector_rejections_total{reason=\"malformed_json\"} 1.0");
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
