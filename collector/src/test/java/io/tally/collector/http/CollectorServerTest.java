package io.tally.collector.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.collector.CollectorSettings;
import io.tally.collector.EventRecord;
import io.tally.collector.EventSink;
import io.tally.collector.Refusal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side on a real socket: routing, gzip, the body cap, keep-alive, slow senders, health and metrics. */
class CollectorServerTest {
    /** Bodies carry no newline, so the next answer's status line follows a body on the same line. */
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 \\d{3}[^\r]*");
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString("key:".getBytes(StandardCharsets.UTF_8));
    private final List<EventRecord> written = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http = HttpClient.newHttpClient();
    private CollectorServer server;

    @BeforeEach
    void start() {
        server = CollectorServer.start(CollectorSettings.builder("127.0.0.1:1", "events").port(0).source("web", "key")
                .maxBatchBytes(64 * 1024).requestTimeoutMillis(500).build(), acceptingSink(written));
    }

    /** A sink that acknowledges at once, keeping what it is given. */
    private static EventSink acceptingSink(List<EventRecord> written) {
        return new EventSink() {
            @Override
            public CompletableFuture<Void> publish(String source, List<EventRecord> records) {
                written.addAll(records);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
            }
        };
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aGzippedBatchIsAccepted() throws Exception {
        String batch = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"A\"},"
                + "{\"type\":\"page\",\"userId\":\"u\",\"name\":\"Home\"}]}";
        HttpResponse<String> response = post("/v1/batch", gzip(batch.getBytes(StandardCharsets.UTF_8)), "gzip");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":true}");
        assertThat(written).hasSize(2);
    }

    @Test
    void aBodyOverTheBatchLimitIs400NamingTheLimit() throws Exception {
        byte[] big = ("{\"batch\":[],\"pad\":\"" + "x".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = post("/v1/batch", big, null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"batch_too_large\"").contains("batch_limit 65536 bytes");
        assertThat(written).isEmpty();
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertThat(post("/v1/nothing", "{}".getBytes(StandardCharsets.UTF_8), null).statusCode()).isEqualTo(404);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(uri("/v1/track")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(server.metrics().scrape())
                .contains("collector_requests_total{endpoint=\"other\",status=\"404\"} 1.0")
                .contains("collector_requests_total{endpoint=\"/v1/track\",status=\"405\"} 1.0");
    }

    @Test
    void healthAndMetricsAnswer() throws Exception {
        post("/v1/track", "{\"userId\":\"u\",\"event\":\"A\"}".getBytes(StandardCharsets.UTF_8), null);

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"up\",\"kafka\":\"ok\"}");
        assertThat(metrics.body())
                .contains("collector_requests_total{endpoint=\"/v1/track\",status=\"200\"} 1.0")
                .contains("collector_events_total{source=\"web\"} 1.0")
                .contains("collector_kafka_ack_seconds_count 1");
    }

    @Test
    void requestsOnOneKeepAliveConnectionAreAnsweredInOrder() throws Exception {
        String body = "{\"userId\":\"u\",\"event\":\"A\"}";
        String one = "POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH + "\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
        String unauthorized = "POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((one + unauthorized + one).getBytes(StandardCharsets.US_ASCII));
            String answers = readUntil(socket.getInputStream(), 3);
            assertThat(statusLines(answers)).containsExactly("HTTP/1.1 200 OK", "HTTP/1.1 401 Unauthorized",
                    "HTTP/1.1 200 OK");
        }
        assertThat(written).hasSize(2);
    }

    @Test
    void aBodyTricklingInPastTheRequestTimeoutIs408AndClosed() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(5000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH
                    + "\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 2; i++) { // inside the 500 ms: the server closes at the deadline
                Thread.sleep(150);
                out.write(' ');
                out.flush();
            }
            String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\":\"request_timeout\"");
        }
        // Other clients were served meanwhile and after.
        assertThat(post("/v1/track", "{\"userId\":\"u\",\"event\":\"A\"}".getBytes(StandardCharsets.UTF_8), null)
                .statusCode()).isEqualTo(200);
    }

    @Test
    void headersTricklingInPastTheRequestTimeoutAre408AndClosed() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(5000);
            OutputStream out = slow.getOutputStream();
            out.write("POST /v1/track HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 3; i++) { // within the 500 ms, each line well inside the idle timeout
                Thread.sleep(100);
                out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\":\"request_timeout\"");
        }
        assertThat(server.metrics().refusals(Refusal.REQUEST_TIMEOUT)).isEqualTo(1);
    }


    /**
     * Every kind of bad input, one after another over real sockets, while a well-behaved client keeps sending: each
     * gets its own status and error and is counted under its reason, nothing of it is written, and the other client
     * is answered 200 throughout (slow senders included: twenty of them at once).
     */
    @Test
    void badInputAtTheDoorGetsItsOwnStatusAndMetricWhileOthersAreServed() throws Exception {
        GoodClient good = new GoodClient();
        long goodDuringSlowSenders;
        try {
            String message = "{\"userId\":\"u\",\"event\":\"A\"}";
            HttpResponse<String> unknownKey = http.send(request("/v1/track", bytes(message), null,
                    "Basic " + Base64.getEncoder().encodeToString("nope:".getBytes(StandardCharsets.UTF_8))),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> noKey = http.send(request("/v1/track", bytes(message), null, null),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> bigMessage = post("/v1/track",
                    bytes("{\"userId\":\"u\",\"event\":\"A\",\"properties\":{\"p\":\"" + "x".repeat(33_000) + "\"}}"), null);
            List<HttpResponse<String>> bigBodies = new ArrayList<>();
            for (int i = 0; i < 10; i++) { // sent whole while the server has answered: the answer must survive
                bigBodies.add(post("/v1/batch", bytes("{\"batch\":[],\"pad\":\"" + "x".repeat(2_000_000) + "\"}"), null));
            }
            byte[] bomb = gzip(new byte[20 * 1024 * 1024]); // 20 MB of zeros in about 20 KB
            HttpResponse<String> gzipBomb = post("/v1/batch", bomb, "gzip");
            byte[] notUtf8 = {'{', '"', 'u', 's', 'e', 'r', 'I', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
            HttpResponse<String> invalidUtf8 = post("/v1/track", notUtf8, null);
            HttpResponse<String> malformed = post("/v1/track", bytes("{\"userId\":"), null);
            HttpResponse<String> brotli = post("/v1/track", bytes(message), "br");
            long goodBefore = good.answered.get();
            List<String> slowAnswers = slowSenders(20);
            goodDuringSlowSenders = good.answered.get() - goodBefore;

            assertThat(bomb.length).isLessThan(64 * 1024);
            assertAnswer(unknownKey, 401, "unauthorized");
            assertAnswer(noKey, 401, "unauthorized");
            assertAnswer(bigMessage, 400, "message_too_large");
            assertThat(bigBodies).allSatisfy(r -> assertAnswer(r, 400, "batch_too_large"));
            assertAnswer(gzipBomb, 400, "batch_too_large");
            assertThat(gzipBomb.body()).contains("uncompressed body");
            assertAnswer(invalidUtf8, 400, "invalid_utf8");
            assertAnswer(malformed, 400, "malformed_json");
            assertAnswer(brotli, 415, "unsupported_encoding");
            assertThat(slowAnswers).hasSize(20).allSatisfy(answer ->
                    assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\":\"request_timeout\""));
        } finally {
            good.stop();
        }
        assertThat(good.statuses).as("the well-behaved client, meanwhile").isNotEmpty().containsOnly(200);
        assertThat(goodDuringSlowSenders).as("answered while the slow senders held their connections").isPositive();
        assertThat(written).hasSize(good.statuses.size());
        assertThat(server.metrics().scrape())
                .contains("collector_rejections_total{reason=\"unauthorized\"} 2.0")
                .contains("collector_rejections_total{reason=\"message_too_large\"} 1.0")
                .contains("collector_rejections_total{reason=\"batch_too_large\"} 11.0")
                .contains("collector_rejections_total{reason=\"invalid_utf8\"} 1.0")
                .contains("collector_rejections_total{reason=\"malformed_json\"} 1.0")
                .contains("collector_rejections_total{reason=\"unsupported_encoding\"} 1.0")
                .contains("collector_rejections_total{reason=\"request_timeout\"} 20.0");
    }

    @Test
    void aConnectionPastTheLimitIs503AtOnceAndTheOthersAreServed() throws Exception {
        try (CollectorServer limited = CollectorServer.start(CollectorSettings.builder("127.0.0.1:1", "events").port(0)
                .source("web", "key").maxConnections(3).retryAfterSeconds(2).build(), acceptingSink(new ArrayList<>()))) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Socket socket = new Socket("127.0.0.1", limited.port());
                    socket.setSoTimeout(5000);
                    open.add(socket);
                    assertThat(statusLines(track(socket))).containsExactly("HTTP/1.1 200 OK");
                }
                try (Socket fourth = new Socket("127.0.0.1", limited.port())) {
                    fourth.setSoTimeout(5000);
                    String answer = new String(fourth.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("Retry-After: 2")
                            .contains("connection: close").contains("\"error\":\"too_many_connections\"");
                }
                // The three are still served; once one closes, a new connection is accepted.
                assertThat(statusLines(track(open.get(1)))).containsExactly("HTTP/1.1 200 OK");
                open.remove(0).close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                String answer = "";
                while (System.nanoTime() < deadline && !answer.startsWith("HTTP/1.1 200")) {
                    try (Socket again = new Socket("127.0.0.1", limited.port())) {
                        again.setSoTimeout(5000);
                        answer = track(again);
                    }
                }
                assertThat(answer).startsWith("HTTP/1.1 200");
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
            }
            assertThat(limited.metrics().refusals(Refusal.TOO_MANY_CONNECTIONS)).isGreaterThanOrEqualTo(1);
            assertThat(limited.metrics().scrape()).contains("collector_open_connections");
        }
    }

    /** Sends one track call on the socket and reads its answer (or the connection's last one). */
    private static String track(Socket socket) throws IOException {
        String body = "{\"userId\":\"u\",\"event\":\"A\"}";
        socket.getOutputStream().write(("POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH
                + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        return readUntil(socket.getInputStream(), 1);
    }

    /** {@code count} connections at once, each sending its body a byte every 100 ms; their answers. */
    private List<String> slowSenders(int count) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(count);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                answers.add(threads.submit(() -> {
                    try (Socket slow = new Socket("127.0.0.1", server.port())) {
                        slow.setSoTimeout(5000);
                        OutputStream out = slow.getOutputStream();
                        out.write(("POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH
                                + "\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                        for (int b = 0; b < 3; b++) { // inside the 500 ms: the server answers at the deadline
                            Thread.sleep(100);
                            out.write(' ');
                            out.flush();
                        }
                        return new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                }));
            }
            List<String> result = new ArrayList<>();
            for (Future<String> answer : answers) {
                result.add(answer.get(10, TimeUnit.SECONDS));
            }
            return result;
        } finally {
            threads.shutdownNow();
        }
    }

    /** Sends a valid track call every 20 ms on its own keep-alive connection until stopped. */
    private final class GoodClient {
        final List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong answered = new AtomicLong();
        private volatile boolean running = true;
        private final Thread thread = new Thread(() -> {
            HttpClient own = HttpClient.newHttpClient();
            while (running) {
                try {
                    HttpResponse<String> response = own.send(request("/v1/track",
                            bytes("{\"userId\":\"good\",\"event\":\"A\"}"), null, AUTH),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.add(response.statusCode());
                    answered.incrementAndGet();
                    Thread.sleep(20);
                } catch (IOException e) {
                    statuses.add(-1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "good-client");

        GoodClient() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }

    private static void assertAnswer(HttpResponse<String> response, int status, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("\"error\":\"" + error + "\"");
    }

    private HttpResponse<String> post(String path, byte[] body, String encoding) throws IOException, InterruptedException {
        return http.send(request(path, body, encoding, AUTH), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String path, byte[] body, String encoding, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return request.build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(data);
        }
        return out.toByteArray();
    }

    /** Reads until {@code responses} JSON bodies (each ending in a closing brace) have arrived. */
    private static String readUntil(InputStream in, int responses) throws IOException {
        StringBuilder text = new StringBuilder();
        while (statusLines(text.toString()).size() < responses || !text.toString().endsWith("}")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            text.append((char) b);
        }
        return text.toString();
    }

    private static List<String> statusLines(String text) {
        return STATUS_LINE.matcher(text).results().map(MatchResult::group).toList();
    }
}
