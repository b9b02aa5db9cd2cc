package io.tally.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.dashboard.DashboardServer;
import io.tally.dashboard.StatusSource;
import io.tally.local.server.CassandraServer;
import io.tally.local.server.CassandraServerConfig;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.SchemaApplier;
import io.tally.state.schema.TallyTables;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * How long the dashboard's overview takes to render with 90 days of data for 200 event names: a real Cassandra
 * holding the count tables the overview reads (per day for every event, per hour and minute for all events, daily
 * active users, rejects), the dashboard serving it, and headless Chromium loading the page; the page records the time
 * from navigation until every chart is drawn ({@code data-load-ms}), read here over the DevTools protocol. Prints the
 * first (cold) load and the median of the following ones.
 *
 * <p>{@code java -cp benchmarks/target/tally-benchmarks.jar io.tally.bench.DashboardBenchmark [loads]}
 * (needs /usr/bin/chromium).
 */
public final class DashboardBenchmark {
    private static final int DAYS = 90;
    private static final int EVENTS = 200;
    private static final String KEYSPACE = "dashboard_bench";
    private static final int IN_FLIGHT = 128;
    private static final ObjectMapper JSON = new ObjectMapper();

    private DashboardBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int loads = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = Files.createTempDirectory("tally-dashboard-bench");
        try (CassandraServer cassandra = CassandraServer.start(CassandraServerConfig.builder(dir.resolve("cassandra"))
                .nativePort(0).storagePort(0).heap("1g").build())) {
            CassandraSettings settings = CassandraSettings.builder()
                    .contactPoint(cassandra.contactPoint().getHostString() + ":" + cassandra.contactPoint().getPort())
                    .localDatacenter(cassandra.localDatacenter()).keyspace(KEYSPACE).build();
            try (CqlSession session = SessionRegistry.builder(settings).build()) {
                SchemaApplier.bundled().apply(session, KEYSPACE, Map.of("class", "SimpleStrategy",
                        "replication_factor", "1"));
                long rows = fill(session);
                System.out.printf("data: %d days x %d events, %,d rows%n", DAYS, EVENTS, rows);
                try (DashboardServer server = DashboardServer.start(DashboardSettings.defaults().withPort(0),
                        () -> session, KEYSPACE, StatusSource.NONE)) {
                    long[] times = browserLoads(server.url() + "?days=" + DAYS, loads, dir.resolve("chromium"));
                    long[] warm = Arrays.copyOfRange(times, 1, times.length);
                    Arrays.sort(warm);
                    System.out.printf("overview rendered: first load %d ms, median of the next %d loads %d ms"
                            + " (min %d, max %d)%n", times[0], warm.length, warm[warm.length / 2], warm[0],
                            warm[warm.length - 1]);
                }
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    /** The rows the overview reads, counted up to now. */
    private static long fill(CqlSession session) {
        SplittableRandom random = new SplittableRandom(90200);
        Instant now = Instant.now();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        PreparedStatement day = session.prepare("INSERT INTO " + KEYSPACE
                + ".event_counts_by_day (event, month, day, count) VALUES (?, ?, ?, ?)");
        PreparedStatement hour = session.prepare("INSERT INTO " + KEYSPACE
                + ".event_counts_by_hour (event, day, hour, count) VALUES (?, ?, ?, ?)");
        PreparedStatement minute = session.prepare("INSERT INTO " + KEYSPACE
                + ".event_counts_by_minute (event, hour, minute, count) VALUES (?, ?, ?, ?)");
        PreparedStatement users = session.prepare("INSERT INTO " + KEYSPACE
                + ".unique_users_by_day (event, month, day, users) VALUES (?, ?, ?, ?)");
        PreparedStatement rejects = session.prepare("INSERT INTO " + KEYSPACE
                + ".rejected_counts_by_hour (reason, day, hour, count) VALUES (?, ?, ?, ?)");
        List<CompletionStage<?>> writes = new ArrayList<>();
        long rows = 0;
        for (int d = 0; d < DAYS; d++) {
            LocalDate date = today.minusDays(d);
            String month = String.format("%04d-%02d", date.getYear(), date.getMonthValue());
            long all = 0;
            for (int e = 0; e < EVENTS; e++) {
                long count = 1 + random.nextInt(10_000 / (1 + e % 50));
                all += count;
                write(session, writes, day.bind("event-" + e, month, date, count));
            }
            write(session, writes, day.bind(TallyTables.ALL_EVENTS, month, date, all));
            write(session, writes, users.bind(TallyTables.ALL_EVENTS, month, date, all / 7));
            rows += EVENTS + 2;
        }
        Instant firstHour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofDays(DAYS));
        for (Instant h = firstHour; !h.isAfter(now); h = h.plus(Duration.ofHours(1))) {
            LocalDate date = LocalDate.ofInstant(h, ZoneOffset.UTC);
            write(session, writes, hour.bind(TallyTables.ALL_EVENTS, date, h, 1L + random.nextInt(50_000)));
            write(session, writes, rejects.bind("malformed_json", date, h, 1L + random.nextInt(20)));
            rows += 2;
        }
        for (Instant m = now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2)); !m.isAfter(now);
                m = m.plus(Duration.ofMinutes(1))) {
            write(session, writes, minute.bind(TallyTables.ALL_EVENTS, m.truncatedTo(ChronoUnit.HOURS), m,
                    1L + random.nextInt(1_000)));
            rows++;
        }
        writes.forEach(w -> w.toCompletableFuture().join());
        return rows;
    }

    /** At most {@value #IN_FLIGHT} writes in flight: more time out on a busy 2-core machine. */
    private static void write(CqlSession session, List<CompletionStage<?>> writes, BoundStatement statement) {
        if (writes.size() >= IN_FLIGHT) {
            writes.forEach(w -> w.toCompletableFuture().join());
            writes.clear();
        }
        writes.add(session.executeAsync(statement));
    }

    /**
     * Loads the page {@code loads} times in one headless Chromium and returns each load's {@code data-load-ms}.
     * Chromium is driven over its DevTools protocol (a WebSocket), so no driver is needed.
     */
    private static long[] browserLoads(String url, int loads, Path profile) throws Exception {
        Process chromium = new ProcessBuilder("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=" + profile.toAbsolutePath(), "about:blank")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Chromium did not open its DevTools port");
                }
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            JsonNode pages = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
            String socketUrl = null;
            for (JsonNode page : pages) {
                if ("page".equals(page.path("type").asText())) {
                    socketUrl = page.get("webSocketDebuggerUrl").asText();
                }
            }
            DevTools devTools = new DevTools(http, socketUrl);
            long[] times = new long[loads];
            for (int i = 0; i < loads; i++) {
                devTools.call("Page.navigate", Map.of("url", url + "&load=" + i));
                String loaded = "";
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (loaded.isEmpty() || loaded.equals("null")) {
                    if (System.nanoTime() > until) {
                        throw new IllegalStateException("the overview did not finish loading within 60 s");
                    }
                    Thread.sleep(50);
                    loaded = devTools.call("Runtime.evaluate", Map.of("expression",
                            "document.body && document.body.dataset.load === '" + i + "' ? "
                                    + "(document.body.dataset.loadMs || null) : null", "returnByValue", true))
                            .path("result").path("result").path("value").asText();
                }
                times[i] = Long.parseLong(loaded);
            }
            devTools.close();
            return times;
        } finally {
            chromium.destroy();
            chromium.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** One DevTools session: a command at a time, each answered by the message with its id. */
    private static final class DevTools implements WebSocket.Listener {
        private final WebSocket socket;
        private final StringBuilder partial = new StringBuilder();
        private CompletableFuture<JsonNode> pending;
        private int pendingId;
        private int nextId;

        DevTools(HttpClient http, String url) {
            this.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), this).join();
        }

        synchronized JsonNode call(String method, Map<String, Object> params) throws Exception {
            pendingId = ++nextId;
            pending = new CompletableFuture<>();
            socket.sendText(JSON.writeValueAsString(Map.of("id", pendingId, "method", method, "params", params)),
                    true).join();
            return pending.get(30, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    CompletableFuture<JsonNode> waiting = pending;
                    if (waiting != null && message.path("id").asInt() == pendingId) {
                        waiting.complete(message);
                    }
                } catch (Exception e) {
                    pending.completeExceptionally(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
