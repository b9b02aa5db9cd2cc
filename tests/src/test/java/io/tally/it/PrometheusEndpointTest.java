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
import io.tally.local.sample.GeneratedEvent;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.testsupport.Eventually;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.PrometheusEndpoint;
import io.tally.topology.config.TallyConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.storm.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The topology's Prometheus endpoint serves every metric docs/metrics-and-logs.md lists, and every one the Grafana
 * dashboard and the alerting rules in deploy/ use, with the counts of what was read: Kafka and a log file, one record
 * rejected.
 */
@ExtendWith(RealServices.class)
class PrometheusEndpointTest {
    private static final Path METRICS_DOC = Path.of("..", "docs", "metrics-and-logs.md");
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana-dashboard.json");
    private static final Path ALERTS = Path.of("..", "deploy", "prometheus-alerts.yml");
    /** A series per cause; none exists until a Cassandra call fails. */
    private static final Set<String> ONLY_AFTER_A_FAILURE = Set.of("tally_state_failures_by_cause_total");

    @Test
    void theEndpointServesTheDocumentedMetrics() throws Exception {
        String topic = "prometheus-events";
        String keyspace = TestKeyspaces.create("prometheus");
        TestTopologies.createTopic(topic, 2);
        Path dir = TestDirectories.create("it-prometheus-");
        int port = freePort();
        TallyConfig config = TestTopologies.config("it-prometheus", topic, keyspace).toBuilder()
                .files(FileSpoutSettings.of(dir.toString(), "*.jsonl"))
                .prometheus(new PrometheusEndpoint("127.0.0.1", port))
                .build();
        EventGenerator generator = new EventGenerator(41L, Instant.parse("2026-11-19T00:00:00Z"), 24, 500);
        Truth truth = new Truth();
        TestDirectories.writeEvents(dir.resolve("a.jsonl"), truth.generate(generator, 300));
        Map<String, Object> conf = TallyTopology.stormConfig(config);
        conf.put(Config.TOPOLOGY_BUILTIN_METRICS_BUCKET_SIZE_SECS, 1);
        Set<String> documented = documentedSeries();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, 2)) {
            kafka.send(truth.generate(generator, 700));
            kafka.sendPayloads(List.of("not json".getBytes(StandardCharsets.UTF_8)));
            RealServices.stack().storm().submit(config.name(), conf, TallyTopology.build(config));
            CountTables.assertExact(TestKeyspaces.session(), keyspace, truth, Duration.ofMinutes(2));

            String served = Eventually.poll(() -> scrape(port), text -> missing(documented, text).isEmpty()
                    && sum(text, "tally_ingest_accepted_total", "") == 1_000, Duration.ofSeconds(60));
            assertThat(missing(documented, served)).as("documented series not served").isEmpty();
            assertThat(sum(served, "tally_ingest_accepted_total", "")).isEqualTo(1_000);
            assertThat(sum(served, "tally_ingest_rejected_total", "reason=\"invalid_json\"")).isEqualTo(1);
            assertThat(sum(served, "tally_spout_lag", "topic=\"" + topic + "\"")).isZero();
            assertThat(missing(dashboardSeries(), served)).as("series of deploy/grafana-dashboard.json not served")
                    .isEmpty();
            assertThat(missing(seriesIn(Files.readString(ALERTS)), served))
                    .as("series of deploy/prometheus-alerts.yml not served").isEmpty();
        } finally {
            TestTopologies.killQuietly(config.name());
            TestDirectories.delete(dir);
        }
    }

    /** The Prometheus series the metrics page's table names (its second column). */
    private static Set<String> documentedSeries() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(METRICS_DOC)) {
            String[] cells = line.split("(?<!\\\\)\\|"); // a cell's own '|' is escaped
            if (line.startsWith("| `tally.") && cells.length > 2) {
                names.addAll(seriesIn(cells[2]));
            }
        }
        assertThat(names).as("series listed in " + METRICS_DOC).hasSizeGreaterThan(15);
        return names;
    }

    /** The series the Grafana dashboard's queries use. */
    private static Set<String> dashboardSeries() throws Exception {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(seriesIn(target.path("expr").asText()));
            }
        }
        return names;
    }

    /** The Tally series named in {@code text}, less those that exist only after a failure. */
    private static Set<String> seriesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher name = Pattern.compile("tally_[a-z_]+").matcher(text);
        while (name.find()) {
            names.add(name.group());
        }
        names.removeAll(ONLY_AFTER_A_FAILURE);
        return names;
    }

    private static List<String> missing(Set<String> documented, String served) {
        return documented.stream().filter(name -> !served.contains("\n" + name + "{")).toList();
    }

    /** The sum of a metric's series whose labels contain {@code label}. */
    private static long sum(String served, String name, String label) {
        double total = 0;
        for (String line : served.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Math.round(total);
    }

    private static String scrape(int port) {
        try {
            return "\n" + HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return ""; // not serving yet
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
