package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.bolts.transform.TransformConfig;
import io.tally.dashboard.DashboardServer;
import io.tally.dashboard.LazySession;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.AggregateTruth;
import io.tally.it.support.FunnelTruth;
import io.tally.it.support.HeadlessChromium;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.RetentionTruth;
import io.tally.it.support.SegmentTruth;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.StepTimeBuckets;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import io.tally.topology.status.StatusReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard against the real servers holding a known workload: 70 hours of generated events up to now (so the
 * overview's last two hours and 48 hours hold data), malformed records, and a segment. The JSON API's answers are
 * compared with truth computed from what was sent; each page is loaded in headless Chromium and the numbers it shows
 * (the chart data each chart keeps on its element, and the DOM) are compared with Cassandra. One workload, one
 * topology run and one browser serve the whole class.
 */
@ExtendWith(RealServices.class)
class DashboardTest {
    private static final int PARTITIONS = 2;
    private static final int HOURS = 70;
    private static final int MALFORMED = 7;
    private static final List<String> BREAKDOWNS = List.of("path");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEGMENTS_YAML = """
            kafka: {bootstrap_servers: unused, topics: [unused]}
            segments:
              - name: buyers
                rule: {event: Order Completed}
            funnels:
              - {name: checkout, window_days: 1, steps: [{event: Product Viewed}, {event: Product Added},
                  {event: Order Completed}]}
            retention:
              - {name: signins, start: {event: Signed Up}, return: {event: Signed In}, days: 3, weeks: 2}
            """;

    private static String keyspace;
    private static TallyConfig config;
    private static Instant start;
    private static Instant end;
    private static AggregateTruth truth;
    private static SegmentTruth segments;
    private static FunnelTruth funnels;
    private static RetentionTruth retention;
    private static CqlSession session;
    private static StatusReader status;
    private static DashboardServer server;
    private static HeadlessChromium browser;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void countAWorkloadAndServeIt() throws Exception {
        String topic = "dashboard-events";
        keyspace = TestKeyspaces.create("dashboard");
        TestTopologies.createTopic(topic, PARTITIONS);
        TallyConfig parsed = TallyConfigLoader.withEnvironment(Map.of()).parse(SEGMENTS_YAML);
        config = TestTopologies.config("it-dashboard", topic, keyspace).toBuilder()
                .transforms(new TransformConfig(List.of(), BREAKDOWNS))
                .segments(parsed.segments()).funnels(parsed.funnels()).retention(parsed.retention())
                .build();
        end = Instant.now().truncatedTo(ChronoUnit.HOURS);
        start = end.minus(Duration.ofHours(HOURS));
        EventGenerator generator = new EventGenerator(2424L, start, HOURS, 300);
        truth = new AggregateTruth(BREAKDOWNS);
        segments = new SegmentTruth(List.of(
                new SegmentTruth.Rule("buyers", (name, json) -> name.equals("Order Completed"), 1, 1)));
        funnels = new FunnelTruth(List.of(new FunnelTruth.Funnel("checkout", List.of(
                (name, json) -> name.equals("Product Viewed"), (name, json) -> name.equals("Product Added"),
                (name, json) -> name.equals("Order Completed")), 1)));
        retention = new RetentionTruth(List.of(new RetentionTruth.Definition("signins",
                (name, json) -> name.equals("Signed Up"), (name, json) -> name.equals("Signed In"), 3, 2)));
        List<GeneratedEvent> events = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            GeneratedEvent event = generator.next();
            events.add(event);
            truth.add(event);
            segments.add(event);
            funnels.add(event);
            retention.add(event);
        }
        session = TestKeyspaces.session();
        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, PARTITIONS)) {
            kafka.send(events);
            List<byte[]> malformed = new ArrayList<>();
            for (int i = 0; i < MALFORMED; i++) {
                malformed.add(("{\"type\": \"track\", broken " + i).getBytes(StandardCharsets.UTF_8));
            }
            kafka.sendPayloads(malformed);
        }
        TestTopologies.submit(config);
        Eventually.poll(() -> AggregateTables.read(session, keyspace, "event_counts_by_minute",
                List.of("event", "minute"), "count"), truth.minutes()::equals, Duration.ofMinutes(3));
        Eventually.poll(() -> AggregateTables.read(session, keyspace, "unique_users_by_day",
                List.of("event", "day"), "users"), truth.uniqueUsers()::equals, Duration.ofMinutes(1));
        Eventually.poll(() -> AggregateTables.read(session, keyspace, "segment_sizes_by_day",
                List.of("segment", "day"), "entered"), segments.entered()::equals, Duration.ofMinutes(1));
        Eventually.poll(() -> funnelRows("funnel_steps_by_day", "users"), nonZero(funnels.users())::equals,
                Duration.ofMinutes(1));
        Eventually.poll(() -> funnelRows("funnel_step_ms_by_day", "total_ms"), nonZero(funnels.totalMillis())::equals,
                Duration.ofMinutes(1));
        Eventually.poll(() -> nonZero(AggregateTables.read(session, keyspace, "funnel_step_times_by_day",
                List.of("funnel", "day", "step", "bucket"), "users")), nonZero(funnels.timeBuckets())::equals,
                Duration.ofMinutes(1));
        Eventually.poll(DashboardTest::retentionRows, nonZero(retention.users())::equals, Duration.ofMinutes(1));
        Eventually.poll(() -> rejectedInCassandra().values().stream().mapToLong(Long::longValue).sum(),
                n -> n == MALFORMED, Duration.ofMinutes(1));
        status = new StatusReader(config, RealServices.stack().storm().tridentConf(), session);
        server = DashboardServer.start(config.dashboard().withPort(0), () -> session, keyspace, status::read);
        browser = new HeadlessChromium();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
        if (status != null) {
            status.close();
        }
        TestTopologies.killQuietly("it-dashboard");
    }

    // ---- the JSON API ----

    @Test
    void theApiAnswersExactlyWhatWasCounted() throws Exception {
        String range = "from=" + start + "&to=" + end;
        String busiest = busiestEvent();

        JsonNode hours = ok("counts?event=" + enc(busiest) + "&granularity=hour&" + range);
        Map<String, Long> expectedHours = new LinkedHashMap<>();
        for (Instant h = start; h.isBefore(end); h = h.plus(Duration.ofHours(1))) {
            expectedHours.put(label(h), truth.hours().getOrDefault(List.of(busiest, h.toString()), 0L));
        }
        assertThat(series(hours, 0)).isEqualTo(expectedHours);
        assertThat(hours.get("empty").asBoolean()).isFalse();

        assertThat(series(ok("counts?granularity=day&" + range), 0)).isEqualTo(expectedDays("*"));
        assertThat(series(ok("users?" + range), 0)).isEqualTo(expectedUsers("*"));

        JsonNode breakdown = ok("breakdown?event=Page%20Viewed&property=path&granularity=day&" + range);
        Map<String, Map<String, Long>> byValue = new TreeMap<>();
        for (JsonNode line : breakdown.get("series")) {
            byValue.put(line.get("name").asText(), withoutZeros(series(breakdown, line)));
        }
        Map<String, Map<String, Long>> expectedByValue = new TreeMap<>();
        truth.propertyDays().forEach((key, count) -> {
            if (key.get(0).equals("Page Viewed")) {
                expectedByValue.computeIfAbsent(key.get(3), v -> new TreeMap<>()).put(key.get(2), count);
            }
        });
        assertThat(byValue).isNotEmpty().isEqualTo(expectedByValue);

        JsonNode top = ok("top-events?limit=3&" + range);
        assertThat(series(top, 0)).isEqualTo(expectedTop(3, start, end));

        assertThat(series(ok("rejects?last=48h"), 0)).isEqualTo(rejectedInCassandra());
        assertThat(series(ok("rejects?last=48h"), 0).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(MALFORMED);

        Map<String, Long> entered = new LinkedHashMap<>();
        for (Instant d = start.truncatedTo(ChronoUnit.DAYS); d.isBefore(end); d = d.plus(Duration.ofDays(1))) {
            entered.put(day(d), segments.entered().getOrDefault(List.of("buyers", day(d)), 0L));
        }
        assertThat(series(ok("segment-sizes?segment=buyers&" + range), 0)).isEqualTo(entered);

        List<String> buyers = segments.members().keySet().stream().filter(k -> k.get(0).equals("buyers"))
                .map(k -> k.get(1)).sorted().toList();
        List<String> paged = new ArrayList<>();
        String after = "";
        while (true) {
            JsonNode page = ok("segment-members?segment=buyers&limit=7&after=" + enc(after));
            page.get("rows").forEach(row -> paged.add(row.get(0).asText()));
            if (page.get("rows").size() < 7) {
                break;
            }
            after = paged.get(paged.size() - 1);
        }
        assertThat(paged).isEqualTo(buyers);
        JsonNode userSegments = ok("user-segments?user=" + enc(buyers.get(0)));
        assertThat(userSegments.get("rows").get(0).get(0).asText()).isEqualTo("buyers");

        HttpResponse<String> csv = get("counts?event=" + enc(busiest) + "&granularity=hour&format=csv&" + range);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("hour,events '" + busiest + "' per hour");
        assertThat(lines.subList(1, lines.size())).isEqualTo(expectedHours.entrySet().stream()
                .map(e -> e.getKey() + "," + e.getValue()).toList());

        JsonNode empty = ok("counts?event=" + enc(busiest) + "&from=2020-01-01&to=2020-01-02&granularity=hour");
        assertThat(empty.get("empty").asBoolean()).isTrue();
        assertThat(empty.get("message").asText()).contains("no '" + busiest + "' events");
    }

    @Test
    void badParametersAreRefusedWith400AndWhatWasWrong() throws Exception {
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("nonsense", "no query named 'nonsense'");
        refusals.put("counts?evnt=x", "unknown parameter 'evnt' for counts");
        refusals.put("counts?granularity=week", "'granularity' must be minute, hour or day, was 'week'");
        refusals.put("counts?from=yesterday", "'from' is not a time");
        refusals.put("counts?from=2026-11-20&last=2h", "give 'from' or 'last', not both");
        refusals.put("counts?from=2026-11-20&to=2026-11-19", "empty range: 'to'");
        refusals.put("counts?granularity=minute&last=30d", "range too long for minute buckets (at most 2 days)");
        refusals.put("counts?last=forever", "'last' must be a number and m, h or d");
        refusals.put("breakdown?property=price", "'price' is not a breakdown property (allowed: [path]");
        refusals.put("breakdown?property=path&granularity=minute", "breakdowns are kept per hour and per day");
        refusals.put("breakdown", "breakdown needs the parameter 'property'");
        refusals.put("top-events?limit=0", "'limit' must be a whole number from 1 to 500, was '0'");
        refusals.put("segment-members?segment=buyers&limit=x", "'limit' must be a whole number from 1 to 1000");
        refusals.put("segment-sizes?segment=buyers&total=maybe", "'total' must be true or false, was 'maybe'");
        refusals.put("counts?event=a%0Ab", "'event' holds a control character (U+000A)");
        refusals.put("counts?event=" + "e".repeat(201), "'event' is 201 characters long; at most 200");
        refusals.put("counts?event=a&event=b", "parameter 'event' given 2 times");
        refusals.put("funnel", "funnel needs the parameter 'name'");
        refusals.put("funnel?name=checkout&step=2", "unknown parameter 'step' for funnel");
        refusals.put("funnel?name=checkout&from=2026-11-20&to=2026-11-19", "empty range: 'to'");
        refusals.put("retention?name=signins&period=month", "'period' must be day or week, was 'month'");
        refusals.put("retention?name=signins&or_later=maybe", "'or_later' must be true or false, was 'maybe'");
        refusals.put("retention?period=week", "retention needs the parameter 'name'");
        refusals.put("funnels?name=checkout", "unknown parameter 'name' for funnels");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            HttpResponse<String> response = get(refusal.getKey());
            assertThat(response.statusCode()).as(refusal.getKey()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("error").asText()).as(refusal.getKey())
                    .contains(refusal.getValue());
        }
    }

    @Test
    void namesAreBoundValuesSoNoCqlGetsThrough() throws Exception {
        String range = "from=" + start + "&to=" + end + "&granularity=day";
        for (String event : List.of("x' OR '1'='1", "*' ALLOW FILTERING; --", "'; DROP TABLE event_counts_by_day; --",
                "\" OR \"\"=\"")) {
            JsonNode answer = ok("counts?event=" + enc(event) + "&" + range);
            assertThat(answer.get("empty").asBoolean()).as(event).isTrue();
        }
        assertThat(ok("segment-members?segment=" + enc("buyers' OR segment > '")).get("rows")).isEmpty();
        assertThat(ok("user-segments?user=" + enc("' OR user_id > '")).get("empty").asBoolean()).isTrue();
        HttpResponse<String> property = get("breakdown?property=" + enc("path' OR '1'='1"));
        assertThat(property.statusCode()).isEqualTo(400);
        // Nothing was dropped or changed: every count is still there.
        assertThat(series(ok("counts?" + range), 0)).isEqualTo(expectedDays("*"));
        assertThat(get("..%2F..%2Fetc%2Fpasswd").statusCode()).isEqualTo(400);
        HttpResponse<String> traversal = HTTP.send(HttpRequest.newBuilder(URI.create(server.url()
                + "webjars/../io/tally/dashboard/DashboardApi.class")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(traversal.statusCode()).isEqualTo(404);
    }

    // ---- the pages, in a real browser ----

    @Test
    void theOverviewShowsTheCountsInCassandra() throws Exception {
        ChromeDriver driver = load("/");
        Map<String, Long> minutes = chart(driver, "minutes", 0);
        assertThat(minutes).hasSizeGreaterThanOrEqualTo(120);
        minutes.forEach((label, value) -> assertThat(value).as(label)
                .isEqualTo(cassandraCount("event_counts_by_minute", "hour", "minute", instant(label))));
        assertThat(minutes.values().stream().mapToLong(Long::longValue).sum()).isPositive();
        Map<String, Long> hours = chart(driver, "hours", 0);
        hours.forEach((label, value) -> assertThat(value).as(label)
                .isEqualTo(cassandraCount("event_counts_by_hour", "day", "hour", instant(label))));
        assertThat(total(driver, "hours")).isEqualTo(hours.values().stream().mapToLong(Long::longValue).sum());
        Map<String, Long> days = chart(driver, "days", 0);
        assertThat(withoutZeros(days)).isEqualTo(withoutZeros(expectedDays("*")));
        assertThat(total(driver, "days")).isEqualTo(truth.distinctMessages());
        assertThat(withoutZeros(chart(driver, "dau", 0))).isEqualTo(withoutZeros(expectedUsers("*")));

        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Map<String, Long> top = expectedTop(10, today.minus(Duration.ofDays(30)), today.plus(Duration.ofDays(1)));
        assertThat(chart(driver, "top", 0)).isEqualTo(top);
        List<WebElement> rows = driver.findElements(By.cssSelector("#top .row"));
        assertThat(rows).hasSize(top.size());
        for (WebElement row : rows) {
            String event = row.getAttribute("data-label");
            assertThat(row.findElement(By.cssSelector(".value")).getText().replace(",", ""))
                    .isEqualTo(String.valueOf(top.get(event)));
        }
        assertThat(chart(driver, "rejects", 0)).isEqualTo(rejectedInCassandra());
        WebElement counted = driver.findElement(By.cssSelector("#status dd[data-key='Events counted']"));
        assertThat(counted.getText().replace(",", "")).isEqualTo(String.valueOf(truth.distinctMessages()));
        browser.screenshot("dashboard-overview");
    }

    @Test
    void theExplorerShowsAnEventItsComparisonBreakdownAndUsers() throws Exception {
        // Pages carry the breakdown property (path); the busiest track event is the comparison.
        String busiest = "Page Viewed";
        String other = "Product Viewed";
        ChromeDriver driver = load("/explorer?event=" + enc(busiest) + "&compare=" + enc(other) + "&from=" + start
                + "&to=" + end + "&granularity=day&property=path");
        assertThat(withoutZeros(chart(driver, "counts", 0))).isEqualTo(withoutZeros(expectedDays(busiest)));
        assertThat(withoutZeros(chart(driver, "compared", 0))).isEqualTo(withoutZeros(expectedDays(other)));
        assertThat(withoutZeros(chart(driver, "users", 0))).isEqualTo(withoutZeros(expectedUsers(busiest)));
        assertThat(total(driver, "counts")).isEqualTo(expectedDays(busiest).values().stream()
                .mapToLong(Long::longValue).sum());
        JsonNode breakdown = JSON.readTree(driver.findElement(By.id("breakdown")).getAttribute("data-chart"));
        Map<List<String>, Long> shown = new HashMap<>();
        for (JsonNode line : breakdown.get("series")) {
            series(breakdown, line).forEach((day, n) -> {
                if (n != 0) {
                    shown.put(List.of(busiest, "path", day, line.get("name").asText()), n);
                }
            });
        }
        Map<List<String>, Long> inCassandra = AggregateTables.read(session, keyspace, "property_counts_by_day",
                List.of("event", "property", "day", "value"), "count").entrySet().stream()
                .filter(e -> e.getKey().get(0).equals(busiest))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(shown).isNotEmpty().isEqualTo(inCassandra);
        assertThat(driver.getCurrentUrl()).contains("event=" + enc(busiest).replace("+", "%20"));
        browser.screenshot("dashboard-explorer");
    }

    @Test
    void theSegmentsPageShowsSizesMembersAndAUsersSegments() throws Exception {
        List<String> buyers = segments.members().keySet().stream().filter(k -> k.get(0).equals("buyers"))
                .map(k -> k.get(1)).sorted().toList();
        ChromeDriver driver = load("/segments?segment=buyers&from=" + start + "&to=" + end + "&limit=5&user="
                + enc(buyers.get(0)));
        Map<String, Long> sizes = new TreeMap<>();
        for (Row row : session.execute("SELECT day, entered FROM " + keyspace + ".segment_sizes_by_day WHERE segment"
                + " = 'buyers' ALLOW FILTERING")) {
            sizes.put(row.getLocalDate(0).toString(), row.getLong(1));
        }
        assertThat(withoutZeros(chart(driver, "sizes", 0))).isEqualTo(withoutZeros(sizes));
        List<String> firstPage = driver.findElements(By.cssSelector("#members tbody tr td:first-child")).stream()
                .map(WebElement::getText).toList();
        assertThat(firstPage).isEqualTo(buyers.subList(0, 5));
        List<String> userSegments = driver.findElements(By.cssSelector("#user tbody tr td:first-child")).stream()
                .map(WebElement::getText).toList();
        assertThat(userSegments).containsExactly("buyers");
        browser.screenshot("dashboard-segments");
        driver.findElement(By.id("next")).click();
        new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().contains("after=")
                && "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        List<String> secondPage = driver.findElements(By.cssSelector("#members tbody tr td:first-child")).stream()
                .map(WebElement::getText).toList();
        assertThat(secondPage).isEqualTo(buyers.subList(5, Math.min(10, buyers.size())));
    }

    @Test
    void aCassandraOutageShowsABannerAndThePageRecoversByItself() throws Exception {
        CassandraSettings real = TestKeyspaces.settings(keyspace);
        // Nothing listens on a port just freed: connecting is refused, as with Cassandra down.
        int dead;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            dead = socket.getLocalPort();
        }
        CassandraSettings down = real.toBuilder().contactPoints(List.of("127.0.0.1:" + dead)).build();
        AtomicReference<CassandraSettings> target = new AtomicReference<>(down);
        try (LazySession lazy = new LazySession(() -> SessionRegistry.builder(target.get()).build());
                DashboardServer outage = DashboardServer.start(config.dashboard().withPort(0), lazy, keyspace,
                        () -> null)) {
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create(outage.url()
                    + "api/counts?granularity=day&from=" + start + "&to=" + end)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(refused.body()).get("error").asText()).startsWith("Cassandra is not answering");

            ChromeDriver driver = browser.driver();
            driver.get(outage.url() + "?days=30");
            WebElement banner = driver.findElement(By.id("banner"));
            new WebDriverWait(driver, Duration.ofSeconds(20)).until(d -> banner.isDisplayed());
            assertThat(banner.getText()).contains("Cassandra is not answering");
            browser.screenshot("dashboard-outage");

            target.set(real);
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> !banner.isDisplayed()
                    && "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
            assertThat(withoutZeros(chart(driver, "days", 0))).isEqualTo(withoutZeros(expectedDays("*")));
        }
    }

    @Test
    void theFunnelAndRetentionAnswersAreCassandrasRows() throws Exception {
        String range = "from=" + day(start.truncatedTo(ChronoUnit.DAYS)) + "&to=" + day(end.plus(Duration.ofDays(1)));
        assertThat(ok("funnels").get("rows").get(0).get(0).asText()).isEqualTo("checkout");
        assertThat(ok("retentions").get("rows").get(0).get(0).asText()).isEqualTo("signins");

        JsonNode funnel = ok("funnel?name=checkout&" + range);
        Map<List<String>, Long> users = funnelRows("funnel_steps_by_day", "users");
        Map<List<String>, Long> millis = funnelRows("funnel_step_ms_by_day", "total_ms");
        Map<List<String>, Long> shownUsers = new HashMap<>();
        Map<List<String>, Long> shownMeans = new HashMap<>();
        for (JsonNode day : funnel.get("days")) {
            for (JsonNode step : day.get("steps")) {
                List<String> key = List.of("checkout", day.get("day").asText(), step.get("step").asText());
                shownUsers.put(key, step.get("users").asLong());
                if (!step.get("meanMsFromPrevious").isNull()) {
                    shownMeans.put(key, step.get("meanMsFromPrevious").asLong());
                }
            }
        }
        assertThat(nonZero(shownUsers)).isNotEmpty().isEqualTo(users);
        Map<List<String>, Long> expectedMeans = new HashMap<>();
        millis.forEach((key, total) -> expectedMeans.put(key, total / users.get(key)));
        assertThat(shownMeans).isEqualTo(expectedMeans);
        Map<Integer, Long> summed = funnelSteps(users);
        assertThat(summed).hasSize(3);
        JsonNode steps = funnel.get("steps");
        assertThat(steps).hasSize(summed.size());
        for (JsonNode step : steps) {
            int n = step.get("step").asInt();
            assertThat(step.get("users").asLong()).as("step %d", n).isEqualTo(summed.get(n));
            assertThat(step.get("ofEntered").asDouble()).isEqualTo(100.0 * summed.get(n) / summed.get(1));
            assertThat(step.get("ofPrevious").asDouble()).isEqualTo(100.0 * summed.get(n) / summed.get(Math.max(1,
                    n - 1)));
            if (n > 1) {
                List<Long> times = new ArrayList<>();
                funnels.stepTimes().forEach((key, userTimes) -> {
                    if (key.get(0).equals("checkout") && key.get(2).equals(String.valueOf(n))) {
                        times.addAll(userTimes);
                    }
                });
                times.sort(null);
                // Rank floor(q × (n - 1)) of the users' exact times, within the buckets' documented accuracy.
                for (String quantile : List.of("median", "p90")) {
                    double exact = times.get((int) Math.floor((quantile.equals("median") ? 0.5 : 0.9)
                            * (times.size() - 1)));
                    assertThat((double) Math.abs(step.get(quantile + "MsFromPrevious").asLong() - exact))
                            .as("step %d %s of %s", n, quantile, exact)
                            .isLessThanOrEqualTo(StepTimeBuckets.RELATIVE_ACCURACY * exact + 0.5);
                }
            }
        }
        List<String> csv = get("funnel?name=checkout&format=csv&" + range).body().lines().toList();
        assertThat(csv.get(0)).isEqualTo("entry_day,step,users,of_entered_pct,of_previous_pct,mean_ms_from_previous,"
                + "median_ms_from_previous,p90_ms_from_previous");
        assertThat(csv.stream().filter(line -> line.startsWith("all,")).map(line -> line.split(",")[2]).toList())
                .isEqualTo(summed.values().stream().map(String::valueOf).toList());

        Map<List<String>, Long> cohorts = retentionRows();
        for (String kind : List.of("day", "week", "day_or_later", "week_or_later")) {
            JsonNode triangle = ok("retention?name=signins&period=" + kind.substring(0, kind.indexOf('_') < 0
                    ? kind.length() : kind.indexOf('_')) + "&or_later=" + kind.endsWith("later") + "&" + range);
            assertThat(shownTriangle(triangle, kind)).as(kind).isNotEmpty().isEqualTo(cassandraTriangle(cohorts, kind));
        }
        List<String> retentionCsv = get("retention?name=signins&format=csv&" + range).body().lines().toList();
        assertThat(retentionCsv.get(0)).isEqualTo("cohort,cohort_users,day,returned,returned_pct");

        JsonNode empty = ok("funnel?name=checkout&from=2020-01-01&to=2020-01-02");
        assertThat(empty.get("empty").asBoolean()).isTrue();
        assertThat(empty.get("message").asText()).contains("no users entered funnel 'checkout'");
        assertThat(ok("retention?name=nobody&" + range).get("empty").asBoolean()).isTrue();
    }

    @Test
    void theJourneysPageShowsTheFunnelBarsAndTheCohortHeatMapOfCassandra() throws Exception {
        String range = "from=" + day(start.truncatedTo(ChronoUnit.DAYS)) + "&to=" + day(end.plus(Duration.ofDays(1)));
        ChromeDriver driver = load("/journeys?funnel=checkout&retention=signins&period=day&" + range);
        Map<Integer, Long> summed = funnelSteps(funnelRows("funnel_steps_by_day", "users"));
        // The API's step times are checked against the users' exact times above; the page must show those values.
        Map<Integer, String> stepTimes = new TreeMap<>();
        for (JsonNode step : ok("funnel?name=checkout&" + range).get("steps")) {
            int n = step.get("step").asInt();
            stepTimes.put(n, n == 1 || step.get("medianMsFromPrevious").isNull() ? ""
                    : "median " + duration(step.get("medianMsFromPrevious").asLong()) + ", p90 "
                            + duration(step.get("p90MsFromPrevious").asLong()));
        }
        assertThat(stepTimes.values()).as("step times shown").filteredOn(text -> !text.isEmpty()).hasSize(2);
        Map<Integer, Long> bars = new TreeMap<>();
        for (WebElement row : driver.findElements(By.cssSelector("#funnel .row"))) {
            int step = Integer.parseInt(row.getAttribute("data-step"));
            bars.put(step, Long.parseLong(row.findElement(By.cssSelector(".value")).getText().replace(",", "")));
            assertThat(row.findElement(By.cssSelector(".conversion")).getText()).startsWith(String.format(
                    java.util.Locale.ROOT, "%.1f%%", 100.0 * summed.get(step) / summed.get(1)));
            assertThat(row.findElement(By.cssSelector(".median")).getText()).as("step %d", step)
                    .isEqualTo(stepTimes.get(step));
        }
        assertThat(bars).isEqualTo(summed);
        Map<List<String>, Long> cohorts = retentionRows();
        assertThat(heatMap(driver, "day")).isNotEmpty().isEqualTo(cassandraTriangle(cohorts, "day"));
        assertThat(driver.findElement(By.cssSelector("#funnel")).getAttribute("data-state")).isEqualTo("ready");
        browser.screenshot("dashboard-journeys");

        driver = load("/journeys?funnel=checkout&retention=signins&period=week&or_later=true&" + range);
        assertThat(heatMap(driver, "week_or_later")).isEqualTo(cassandraTriangle(cohorts, "week_or_later"));
        assertThat(driver.getCurrentUrl()).contains("period=week").contains("or_later=true");

        driver = load("/journeys?funnel=checkout&retention=signins&from=2020-01-01&to=2020-01-05");
        assertThat(driver.findElement(By.cssSelector("#funnel .empty")).getText()).startsWith("Nothing in this range");
        assertThat(driver.findElement(By.cssSelector("#retention .empty")).getText()).startsWith("Nothing in this range");
    }

    /** A duration as the journeys page writes it: its two largest whole units of d, h, min and s, else ms. */
    private static String duration(long millis) {
        List<String> parts = new ArrayList<>();
        long rest = millis;
        for (Map.Entry<String, Long> unit : List.of(Map.entry("d", 86_400_000L), Map.entry("h", 3_600_000L),
                Map.entry("min", 60_000L), Map.entry("s", 1_000L))) {
            if (rest >= unit.getValue() && parts.size() < 2) {
                parts.add(rest / unit.getValue() + " " + unit.getKey());
                rest %= unit.getValue();
            }
        }
        return parts.isEmpty() ? millis + " ms" : String.join(" ", parts);
    }

    /** What a retention answer shows, keyed as {@code retention_by_day}: cohort sizes and the non-zero returns. */
    private static Map<List<String>, Long> shownTriangle(JsonNode triangle, String kind) {
        Map<List<String>, Long> shown = new HashMap<>();
        String base = kind.startsWith("week") ? "week" : "day";
        for (JsonNode cohort : triangle.get("cohorts")) {
            String day = cohort.get("cohort").asText();
            shown.put(List.of("signins", day, base, "0"), cohort.get("users").asLong());
            JsonNode returned = cohort.get("returned");
            for (int i = 0; i < returned.size(); i++) {
                if (!returned.get(i).isNull() && returned.get(i).asLong() != 0) {
                    shown.put(List.of("signins", day, kind, String.valueOf(i + 1)), returned.get(i).asLong());
                    assertThat(cohort.get("percent").get(i).asDouble()).isEqualTo(100.0 * returned.get(i).asLong()
                            / cohort.get("users").asLong());
                }
            }
        }
        return shown;
    }

    /** The heat map's cells, read from the DOM, keyed as {@code retention_by_day}. */
    private static Map<List<String>, Long> heatMap(ChromeDriver driver, String kind) {
        Map<List<String>, Long> shown = new HashMap<>();
        String base = kind.startsWith("week") ? "week" : "day";
        for (WebElement row : driver.findElements(By.cssSelector("#retention tr[data-cohort]"))) {
            String day = row.getAttribute("data-cohort");
            long size = Long.parseLong(row.findElement(By.cssSelector("td.size")).getText().replace(",", ""));
            shown.put(List.of("signins", day, base, "0"), size);
            for (WebElement cell : row.findElements(By.cssSelector("td[data-period]"))) {
                long users = Long.parseLong(cell.getAttribute("data-users"));
                if (users != 0) {
                    shown.put(List.of("signins", day, kind, cell.getAttribute("data-period")), users);
                }
                assertThat(cell.getText()).isEqualTo(String.format(java.util.Locale.ROOT, "%.1f%%",
                        100.0 * users / size));
            }
        }
        return shown;
    }

    /** The rows of {@code retention_by_day} one triangle shows: the cohort sizes and the periods of {@code kind}. */
    private static Map<List<String>, Long> cassandraTriangle(Map<List<String>, Long> rows, String kind) {
        String base = kind.startsWith("week") ? "week" : "day";
        Map<List<String>, Long> result = new HashMap<>();
        rows.forEach((key, users) -> {
            boolean size = key.get(2).equals(base) && key.get(3).equals("0");
            if (key.get(0).equals("signins") && (size || key.get(2).equals(kind) && !key.get(3).equals("0"))) {
                result.put(key, users);
            }
        });
        return result;
    }

    /** A funnel's rows summed over its entry days, per step. */
    private static Map<Integer, Long> funnelSteps(Map<List<String>, Long> rows) {
        Map<Integer, Long> steps = new TreeMap<>();
        rows.forEach((key, users) -> steps.merge(Integer.parseInt(key.get(2)), users, Long::sum));
        return steps;
    }

    /** A funnel table keyed {@code [funnel, day, step]}, read with CQL, without rows emptied again. */
    private static Map<List<String>, Long> funnelRows(String table, String column) {
        return nonZero(AggregateTables.read(session, keyspace, table, List.of("funnel", "day", "step"), column));
    }

    /** {@code retention_by_day} keyed {@code [retention, cohort, kind, period]}, read with CQL, without zeros. */
    private static Map<List<String>, Long> retentionRows() {
        return nonZero(AggregateTables.read(session, keyspace, "retention_by_day",
                List.of("retention", "cohort", "kind", "period"), "users"));
    }

    private static Map<List<String>, Long> nonZero(Map<List<String>, Long> rows) {
        Map<List<String>, Long> result = new HashMap<>(rows);
        result.values().removeIf(n -> n == 0);
        return result;
    }

    // ---- helpers ----

    private static ChromeDriver load(String path) {
        ChromeDriver driver = browser.driver();
        driver.get(server.url() + path.substring(1));
        new WebDriverWait(driver, Duration.ofSeconds(30)).until(d ->
                "true".equals(d.findElement(By.tagName("body")).getAttribute("data-loaded")));
        return driver;
    }

    private static Map<String, Long> chart(ChromeDriver driver, String id, int line) throws Exception {
        WebElement element = driver.findElement(By.id(id));
        assertThat(element.getAttribute("data-state")).as(id).isEqualTo("ready");
        return series(JSON.readTree(element.getAttribute("data-chart")), line);
    }

    private static long total(ChromeDriver driver, String id) {
        return Long.parseLong(driver.findElement(By.cssSelector("#" + id + " .total")).getText().replace(",", ""));
    }

    private static Map<String, Long> series(JsonNode chart, int line) {
        return series(chart, chart.get("series").get(line));
    }

    private static Map<String, Long> series(JsonNode chart, JsonNode line) {
        Map<String, Long> points = new LinkedHashMap<>();
        for (int i = 0; i < chart.get("x").size(); i++) {
            points.put(chart.get("x").get(i).asText(), line.get("values").get(i).asLong());
        }
        return points;
    }

    private static <K> Map<K, Long> withoutZeros(Map<K, ?> map) {
        Map<K, Long> result = new TreeMap<>();
        map.forEach((k, v) -> {
            if (v instanceof Long n && n != 0) {
                result.put(k, n);
            }
        });
        return result;
    }

    private static Map<String, Long> expectedDays(String event) {
        Map<String, Long> days = new LinkedHashMap<>();
        for (Instant d = start.truncatedTo(ChronoUnit.DAYS); d.isBefore(end); d = d.plus(Duration.ofDays(1))) {
            days.put(day(d), truth.days().getOrDefault(List.of(event, day(d)), 0L));
        }
        return days;
    }

    private static Map<String, Long> expectedUsers(String event) {
        Map<String, Long> days = new LinkedHashMap<>();
        for (Instant d = start.truncatedTo(ChronoUnit.DAYS); d.isBefore(end); d = d.plus(Duration.ofDays(1))) {
            days.put(day(d), truth.uniqueUsers().getOrDefault(List.of(event, day(d)), 0L));
        }
        return days;
    }

    /** The events counted most on the days of [from, to), from the truth; ties by name. */
    private static Map<String, Long> expectedTop(int limit, Instant from, Instant to) {
        LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(to.minusMillis(1), ZoneOffset.UTC);
        Map<String, Long> byEvent = new HashMap<>();
        truth.days().forEach((key, count) -> {
            LocalDate day = LocalDate.parse(key.get(1));
            if (!key.get(0).equals("*") && !day.isBefore(first) && !day.isAfter(last)) {
                byEvent.merge(key.get(0), count, Long::sum);
            }
        });
        Map<String, Long> top = new LinkedHashMap<>();
        byEvent.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    private static String busiestEvent() {
        return expectedTop(1, start, end).keySet().iterator().next();
    }

    /** Records rejected per reason in the last 48 hours, read with CQL. */
    private static Map<String, Long> rejectedInCassandra() {
        Instant since = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(47));
        Map<String, Long> byReason = new TreeMap<>();
        for (Row row : session.execute("SELECT reason, hour, count FROM " + keyspace + ".rejected_counts_by_hour")) {
            if (!row.getInstant(1).isBefore(since.minus(Duration.ofHours(1)))) {
                byReason.merge(row.getString(0), row.getLong(2), Long::sum);
            }
        }
        return byReason;
    }

    /** The count of all events in one bucket, read with CQL. */
    private static long cassandraCount(String table, String partitionColumn, String bucketColumn, Instant bucket) {
        Object partition = partitionColumn.equals("hour") ? bucket.truncatedTo(ChronoUnit.HOURS)
                : LocalDate.ofInstant(bucket, ZoneOffset.UTC);
        Row row = session.execute(session.prepare("SELECT count FROM " + keyspace + "." + table + " WHERE event = '*'"
                + " AND " + partitionColumn + " = ? AND " + bucketColumn + " = ?").bind(partition, bucket)).one();
        return row == null ? 0 : row.getLong(0);
    }

    private static Instant instant(String label) {
        return Instant.parse(label.replace(' ', 'T') + ":00Z");
    }

    private static String label(Instant hour) {
        return hour.toString().substring(0, 16).replace('T', ' ');
    }

    private static String day(Instant day) {
        return day.toString().substring(0, 10);
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode ok(String query) throws Exception {
        HttpResponse<String> response = get(query);
        assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(String query) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "api/" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
