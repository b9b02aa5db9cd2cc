package io.tally.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.query.Listing;
import io.tally.query.dashboard.DashboardSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The server without Cassandra: what it serves, basic auth, and the refusals that need no query (the session is
 * never asked for, which the counter checks). Answers from real tables are DashboardTest's (module tests).
 */
class DashboardServerTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger sessionsAsked = new AtomicInteger();

    private DashboardServer start(DashboardSettings settings) {
        return DashboardServer.start(settings.withPort(0), () -> {
            sessionsAsked.incrementAndGet();
            throw new IllegalStateException("no Cassandra in this test");
        }, "tally", StatusSource.NONE);
    }

    private HttpResponse<String> get(DashboardServer server, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePagesAndTheChartLibraryFromTheJarOnLoopback() throws Exception {
        try (DashboardServer server = start(DashboardSettings.defaults().withBreakdownProperties(List.of("path")))) {
            assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
            HttpResponse<String> overview = get(server, "/", null);
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            String script = overview.body().replaceAll("(?s).*<script src=\"(/webjars/[^\"]+)\".*", "$1");
            assertThat(script).matches("/webjars/uplot/\\d+\\.\\d+\\.\\d+/dist/uPlot.iife.min.js");
            HttpResponse<String> uplot = get(server, script, null);
            assertThat(uplot.statusCode()).isEqualTo(200);
            assertThat(uplot.body()).contains("uPlot");
            for (String page : List.of("/explorer", "/segments", "/app.js", "/app.css", "/overview.js")) {
                assertThat(get(server, page, null).statusCode()).as(page).isEqualTo(200);
            }
            assertThat(get(server, "/nothing-here", null).statusCode()).isEqualTo(404);
            assertThat(get(server, "/webjars/uplot/../../../../io/tally/dashboard/DashboardApi.class", null)
                    .statusCode()).isEqualTo(404);
            HttpResponse<String> properties = get(server, "/api/properties", null);
            assertThat(properties.body()).contains("\"rows\":[[\"path\"]]");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/counts"))
                    .POST(HttpRequest.BodyPublishers.ofString("SELECT * FROM x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
        assertThat(sessionsAsked).hasValue(0);
    }

    @Test
    void refusesBadParametersBeforeAskingCassandra() throws Exception {
        try (DashboardServer server = start(DashboardSettings.defaults().withBreakdownProperties(List.of("path")))) {
            HttpResponse<String> response = get(server, "/api/breakdown?property=os", null);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("'os' is not a breakdown property (allowed: [path]");
            response = get(server, "/api/counts?granularity=hour&last=200d", null);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("range too long for hour buckets (at most 93 days); use a coarser"
                    + " granularity");
        }
        assertThat(sessionsAsked).hasValue(0);
    }

    @Test
    void basicAuthGuardsEveryPathAndThePasswordIsNeverPrinted() throws Exception {
        DashboardSettings settings = new DashboardSettings("127.0.0.1", 0, "analyst", "s3cret-pw", List.of());
        assertThat(settings.toString()).doesNotContain("s3cret-pw");
        String good = "Basic " + Base64.getEncoder().encodeToString("analyst:s3cret-pw".getBytes(StandardCharsets.UTF_8));
        String bad = "Basic " + Base64.getEncoder().encodeToString("analyst:guess".getBytes(StandardCharsets.UTF_8));
        try (DashboardServer server = start(settings)) {
            for (String path : List.of("/", "/api/events", "/app.js")) {
                HttpResponse<String> none = get(server, path, null);
                assertThat(none.statusCode()).as(path).isEqualTo(401);
                assertThat(none.headers().firstValue("www-authenticate")).hasValueSatisfying(v ->
                        assertThat(v).startsWith("Basic realm="));
                assertThat(get(server, path, bad).statusCode()).as(path).isEqualTo(401);
            }
            assertThat(get(server, "/", good).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void csvQuotesAndDefusesSpreadsheetFormulas() {
        Listing listing = new Listing("t", List.of("user_id", "events"),
                List.of(List.of("=HYPERLINK(\"x\")", "3"), List.of("a,b", "-4")));
        assertThat(DashboardApi.Csv.of(listing)).isEqualTo("user_id,events\n\"'=HYPERLINK(\"\"x\"\")\",3\n\"a,b\",-4\n");
    }
}
