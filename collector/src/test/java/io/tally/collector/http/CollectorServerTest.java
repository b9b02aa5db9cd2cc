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
                .maxBatchBytes(64 * 1024).requestTimeoutMillis(500).build(), new EventSink() {
                    @Override
                    public CompletableFuture<Void> publish(String source, List<EventRecord> records) {
                        written.addAll(records);
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public void close() {
                    }
                });
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

    private HttpResponse<String> post(String path, byte[] body, String encoding) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", AUTH)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
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
