package io.tally.topology.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.bolts.journey.CompiledSessions;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.state.cassandra.CassandraSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TallyConfigLoaderTest {
    private static final TallyConfigLoader LOADER =
            TallyConfigLoader.withEnvironment(Map.of("CASSANDRA_PASSWORD", "pa55-word", "KAFKA_HOST", "kafka-1"));

    @Test
    void minimalFileGetsEveryDefault() {
        TallyConfig config = LOADER.parse("""
                kafka:
                  bootstrap_servers: broker:9092
                  topics: [events]
                """);
        assertThat(config.name()).isEqualTo("tally");
        assertThat(config.batch()).isEqualTo(BatchSettings.builder().build());
        assertThat(config.batch().maxSpoutPending()).isEqualTo(2);
        assertThat(config.batch().emitIntervalMillis()).isEqualTo(10);
        assertThat(config.kafka().orElseThrow().maxPollRecords()).isEqualTo(100_000);
        assertThat(config.cassandra().contactPoints()).containsExactly("127.0.0.1:9042");
        assertThat(config.cassandra().keyspace()).isEqualTo("tally");
        assertThat(config.replication()).containsEntry("class", "SimpleStrategy").containsEntry("replication_factor", "1");
    }

    @Test
    void prometheusEndpointIsOffUnlessAPortIsGivenAndListensOnLoopbackByDefault() {
        String kafka = "kafka: {bootstrap_servers: b, topics: [t]}\n";
        assertThat(LOADER.parse(kafka).prometheus()).isEmpty();
        assertThat(LOADER.parse(kafka + "topology: {prometheus_port: 9464}").prometheus())
                .contains(new PrometheusEndpoint("127.0.0.1", 9464));
        assertThat(LOADER.parse(kafka + "topology: {prometheus_port: 9464, prometheus_bind: 0.0.0.0}").prometheus())
                .contains(new PrometheusEndpoint("0.0.0.0", 9464));
        assertThatThrownBy(() -> LOADER.parse(kafka + "topology: {prometheus_port: 70000}"))
                .hasMessageContaining("topology.prometheus_port");
    }

    @Test
    void dashboardListensOnLoopbackPort8089UnlessConfiguredAndTakesItsPasswordFromTheEnvironment() {
        String kafka = "kafka: {bootstrap_servers: b, topics: [t]}\ntransforms: {breakdown_properties: [path]}\n";
        DashboardSettings defaults = LOADER.parse(kafka).dashboard();
        assertThat(defaults.bind()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isEqualTo(8089);
        assertThat(defaults.basicAuth()).isFalse();
        assertThat(defaults.breakdownProperties()).containsExactly("path");
        DashboardSettings configured = TallyConfigLoader.withEnvironment(Map.of("DASH_PW", "pw-from-env"))
                .parse(kafka + "dashboard: {bind: 0.0.0.0, port: 9000, basic_auth: {user: ana, password: '${DASH_PW}'}}")
                .dashboard();
        assertThat(configured).isEqualTo(new DashboardSettings("0.0.0.0", 9000, "ana", "pw-from-env", List.of("path")));
        assertThat(configured.toString()).doesNotContain("pw-from-env");
        assertThatThrownBy(() -> LOADER.parse(kafka + "dashboard: {basic_auth: {user: ana}}"))
                .hasMessageContaining("dashboard: basic_auth needs both user and password");
        assertThatThrownBy(() -> LOADER.parse(kafka + "dashboard: {port: 70000}"))
                .hasMessageContaining("dashboard: port 70000 is not a port");
        assertThatThrownBy(() -> LOADER.parse(kafka + "dashboard: {prot: 1}"))
                .hasMessageContaining("unknown key");
    }

    @Test
    void theExampleInDeployIsValidAndMatchesTheDefaults() throws IOException {
        Path example = Path.of("..", "deploy", "tally.yaml");
        TallyConfig config = TallyConfigLoader.withEnvironment(Map.of()).load(example);
        assertThat(config.batch()).isEqualTo(BatchSettings.builder().build());
        assertThat(config.kafka().orElseThrow().topics()).containsExactly("events");
        assertThat(Files.readString(example)).contains("${TALLY_CASSANDRA_PASSWORD}");
    }

    @Test
    void everyKeyIsRead() {
        TallyConfig config = LOADER.parse("""
                topology:
                  name: analytics-prod
                  workers: 4
                  spout_parallelism: 2
                  parallelism: 8
                  max_spout_pending: 3
                  batch_emit_interval_ms: 50
                  message_timeout_secs: 300
                kafka:
                  bootstrap_servers: ${KAFKA_HOST}:9092
                  topics: [a, b]
                  max_poll_records: 5000
                  max_partition_fetch_bytes: 1048576
                  fetch_max_bytes: 2097152
                  poll_timeout_ms: 100
                  consumer:
                    security.protocol: SASL_SSL
                    sasl.jaas.config: secret-jaas
                cassandra:
                  contact_points: [c1:9042, c2:9142]
                  local_datacenter: eu-west
                  keyspace: analytics
                  replication: {class: NetworkTopologyStrategy, eu-west: "3"}
                  username: tally
                  password: ${CASSANDRA_PASSWORD}
                  read_consistency: local_one
                  write_consistency: QUORUM
                  request_timeout_ms: 2500
                  max_requests_in_flight: 64
                  ssl: true
                """);
        assertThat(config.name()).isEqualTo("analytics-prod");
        assertThat(config.batch()).isEqualTo(new BatchSettings(4, 2, 8, 3, 50, 300));
        var kafka = config.kafka().orElseThrow();
        assertThat(kafka.bootstrapServers()).isEqualTo("kafka-1:9092");
        assertThat(kafka.topics()).containsExactly("a", "b");
        assertThat(List.of(kafka.maxPollRecords(), kafka.maxPartitionFetchBytes(), kafka.fetchMaxBytes()))
                .containsExactly(5000, 1048576, 2097152);
        assertThat(kafka.pollTimeoutMs()).isEqualTo(100);
        assertThat(kafka.consumerProperties()).containsEntry("security.protocol", "SASL_SSL");
        var cassandra = config.cassandra();
        assertThat(cassandra.contactPoints()).containsExactly("c1:9042", "c2:9142");
        assertThat(cassandra.localDatacenter()).isEqualTo("eu-west");
        assertThat(cassandra.keyspace()).isEqualTo("analytics");
        assertThat(cassandra.password()).isEqualTo("pa55-word");
        assertThat(cassandra.readConsistency()).isEqualTo("LOCAL_ONE");
        assertThat(cassandra.writeConsistency()).isEqualTo("QUORUM");
        assertThat(cassandra.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(cassandra.maxRequestsInFlight()).isEqualTo(64);
        assertThat(cassandra.ssl()).isTrue();
        assertThat(config.replication()).containsEntry("eu-west", "3");

        assertThat(config.toString()).doesNotContain("pa55-word").doesNotContain("secret-jaas");
    }

    @Test
    void theDedupWindowMustCoverLatenessToleranceAndLag() {
        TallyConfig defaults = LOADER.parse("kafka: {bootstrap_servers: b, topics: [t]}");
        assertThat(defaults.dedupWindow()).isEqualTo(Duration.ofDays(8));
        assertThat(defaults.lagAllowance()).isEqualTo(Duration.ofHours(23));
        assertThat(defaults.backfill()).isEmpty();
        // 7 days + 1 hour + 23 hours = 8 days exactly: accepted; a millisecond less is not.
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                aggregates: {dedup_window_ms: 691199999}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("aggregates.dedup_window_ms: (691199999) must be at least ingest.max_lateness_ms (604800000)"
                        + " + ingest.future_tolerance_ms (3600000) + aggregates.lag_allowance_ms (82800000) = 691200000:"
                        + " a copy of an event accepted after its messageId is forgotten would be counted twice."
                        + " Lengthen the window or shorten the lateness");
        // The window of the old default, 7 days, with the lateness shortened to fit.
        TallyConfig fitted = LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                ingest: {max_lateness_ms: 432000000}
                aggregates: {dedup_window_ms: 604800000, lag_allowance_ms: 86400000}
                """);
        assertThat(fitted.lagAllowance()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void aBackfillNamesItsSpanAndItsWindowMustCoverIt() {
        TallyConfig backfill = LOADER.parse("""
                topology: {name: tally-backfill-2026-01}
                files: {directory: /exports}
                backfill: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}
                aggregates: {dedup_window_ms: 2764800000}
                """);
        assertThat(backfill.backfill().orElseThrow().length()).isEqualTo(Duration.ofDays(31));
        assertThatThrownBy(() -> LOADER.parse("""
                topology: {name: tally-backfill-2026-01}
                files: {directory: /exports}
                backfill: {from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z"}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("aggregates.dedup_window_ms: (691200000) must cover the backfill's span"
                        + " (2026-01-01T00:00:00Z to 2026-02-01T00:00:00Z, 2678400000 ms) + aggregates.lag_allowance_ms"
                        + " (82800000) = 2761200000");
        assertThatThrownBy(() -> LOADER.parse("""
                files: {directory: /exports}
                backfill: {from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z"}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("backfill.to (2026-01-01T00:00:00Z) must be after backfill.from");
        assertThatThrownBy(() -> LOADER.parse("""
                files: {directory: /exports}
                backfill: {from: "last january", to: "2026-01-01T00:00:00Z"}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("backfill.from: must be an ISO-8601 date-time such as 2026-01-01T00:00:00Z, was 'last january'");
    }

    @Test
    void cassandraTlsVerifiesHostnamesByDefaultAndMasksTheTrustStorePassword() {
        CassandraSettings plain = LOADER.parse("kafka: {bootstrap_servers: b, topics: [t]}\ncassandra: {ssl: true}")
                .cassandra();
        assertThat(plain.ssl()).isTrue();
        assertThat(plain.sslHostnameVerification()).isTrue();
        assertThat(plain.sslTruststorePath()).isNull();
        TallyConfig configured = LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                cassandra:
                  ssl: {truststore_path: /etc/tally/trust.p12, truststore_password: trust-pa55, hostname_verification: false}
                """);
        CassandraSettings tls = configured.cassandra();
        assertThat(tls.ssl()).isTrue();
        assertThat(tls.sslHostnameVerification()).isFalse();
        assertThat(tls.sslTruststorePath()).isEqualTo("/etc/tally/trust.p12");
        assertThat(tls.sslTruststorePassword()).isEqualTo("trust-pa55");
        assertThat(configured.toString()).contains("sslTruststorePassword=****").doesNotContain("trust-pa55");
        assertThat(LOADER.parse("kafka: {bootstrap_servers: b, topics: [t]}\ncassandra: {ssl: {enabled: false}}")
                .cassandra().ssl()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown key                 | 'kafka: {bootstrap_servers: b, topics: [t], bootstrap: x}' | kafka.bootstrap: unknown key",
        "wrong type                  | 'kafka: {bootstrap_servers: b, topics: [t], max_poll_records: lots}' | kafka.max_poll_records: expected an integer",
        "negative number             | 'kafka: {bootstrap_servers: b, topics: [t], max_poll_records: -5}' | kafka.max_poll_records: must be positive, was -5",
        "missing kafka               | 'cassandra: {keyspace: k}' | kafka: or files or objects is required",
        "missing topics              | 'kafka: {bootstrap_servers: b}' | kafka.topics: is required",
        "zero workers                | 'topology: {workers: 0}' | topology.workers: must be a positive integer, was 0",
        "bad consistency             | 'kafka: {bootstrap_servers: b, topics: [t]}\ncassandra: {read_consistency: MOST}' | cassandra.read_consistency: must be one of",
        "unset environment variable  | 'kafka: {bootstrap_servers: \"${NOPE}\", topics: [t]}' | kafka.bootstrap_servers: refers to environment variable NOPE, which is not set",
        "bad topology name           | 'topology: {name: my topology}\nkafka: {bootstrap_servers: b, topics: [t]}' | topology.name: must be letters",
        "not yaml                    | 'kafka: [unclosed' | not valid YAML",
        "user without password       | 'kafka: {bootstrap_servers: b, topics: [t]}\ncassandra: {username: u}' | cassandra: Cassandra username and password must be given together",
        "unknown ssl setting         | 'kafka: {bootstrap_servers: b, topics: [t]}\ncassandra: {ssl: {trust_store: /t}}' | cassandra.ssl.trust_store: is not a setting",
        "trust password without path | 'kafka: {bootstrap_servers: b, topics: [t]}\ncassandra: {ssl: {truststore_password: p}}' | cassandra.ssl.truststore_password: needs cassandra.ssl.truststore_path",
        "ssl neither flag nor map    | 'kafka: {bootstrap_servers: b, topics: [t]}\ncassandra: {ssl: sometimes}' | cassandra.ssl: must be true, false or a mapping",
    })
    void badConfigurationNamesTheKey(String why, String yaml, String message) {
        assertThatThrownBy(() -> LOADER.parse(yaml.replace("\\n", "\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void transformsAreReadAndCheckedWithTheirKeys() {
        TallyConfig config = LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                transforms:
                  steps:
                    - rename_event: {from: Purchase, to: Order Completed}
                    - derive_property: {name: platform, from: context.os.name}
                  breakdown_properties: [platform]
                """);
        assertThat(config.transforms().steps()).hasSize(2);
        assertThat(config.transforms().breakdownProperties()).containsExactly("platform");

        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                transforms:
                  steps:
                    - rename_event: {from: Purchase, to: ""}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("transforms.steps[0].rename_event.to: must not be empty");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                transforms:
                  steps:
                    - upcase_everything: {}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("transforms.steps[0]: unknown transform 'upcase_everything'");
    }

    @Test
    void segmentsAreReadAndCheckedWithTheirPaths() {
        TallyConfig config = LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments:
                  - name: buyers
                    rule: {event: Order Completed}
                  - name: heavy_listeners
                    rule: {at_least: 10, per: day, where: {event: Song Played}}
                  - name: mobile_germany
                    rule:
                      and:
                        - {field: context.location.country, equals: DE}
                        - {field: context.os.name, in: [iOS, Android]}
                """);
        assertThat(config.segments()).extracting(s -> s.name())
                .containsExactly("buyers", "heavy_listeners", "mobile_germany");
        assertThat(config.toString()).contains("segments=[buyers, heavy_listeners, mobile_germany]");

        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments:
                  - name: buyers
                    rule: {event: Order Completed}
                  - name: pros
                    rule: {and: [{field: properties.plan, equal: pro}]}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("segments[1].rule.and[0]: unknown operator 'equal' (known: equals, not_equals, in, exists,"
                        + " lt, lte, gt, gte, prefix)");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments:
                  - name: listeners
                    rule: {at_least: -2, per: day, where: {event: Song Played}}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("segments[0].rule.at_least: must be a positive integer, was -2");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments:
                  - name: a
                    rule: {field: os.name, equals: iOS}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("segments[0].rule.field: must be 'event' or a dotted path starting with properties.,"
                        + " context. or traits. (e.g. context.os.name), was 'os.name'");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments:
                  - {name: a, rule: {event: x}}
                  - {name: a, rule: {event: y}}
                """)).isInstanceOf(ConfigException.class).hasMessage("segments[1].name: duplicate segment name 'a'");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments:
                  - {name: a, rules: {event: x}}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("segments[0].rules: unknown key (known keys here: name, rule)");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments: {name: a}
                """)).isInstanceOf(ConfigException.class).hasMessage("segments: expected a list");
    }

    @Test
    void theCommentedSegmentsExampleInDeployIsValid() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "deploy", "tally.yaml"));
        StringBuilder example = new StringBuilder("kafka: {bootstrap_servers: b, topics: [t]}\n");
        for (int i = lines.indexOf("# segments:"); i < lines.size() && lines.get(i).startsWith("#"); i++) {
            example.append(lines.get(i).substring(2)).append('\n');
        }
        assertThat(LOADER.parse(example.toString()).segments()).extracting(s -> s.name())
                .containsExactly("buyers", "mobile_germany", "heavy_listeners", "weekly_buyers");
    }

    @Test
    void theCommentedFunnelExampleInDeployIsValidAndMistakesNameTheirPath() throws IOException {
        TallyConfig config = LOADER.parse(commentedExample("# funnels:"));
        assertThat(config.funnels()).extracting(f -> f.name()).containsExactly("checkout");
        assertThat(config.funnels().get(0).steps()).hasSize(3);
        assertThat(config.funnels().get(0).windowDays()).isEqualTo(7);
        assertThat(LOADER.parse(commentedExample("# retention:")).retention()).singleElement()
                .satisfies(r -> assertThat(List.of(r.name(), r.days(), r.weeks())).containsExactly("signups", 30, 12));
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                funnels:
                  - name: checkout
                    steps: [{event: Product Viewed}, {field: properties.price, gte: cheap}]
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("funnels[0].steps[1].gte:");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                funnels:
                  - {name: checkout, steps: [{event: a}, {event: b}]}
                retention:
                  - {name: checkout, start: {event: a}}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("retention[0].name: 'checkout' is also a"
                + " funnel's name");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                retention:
                  - {name: r, start: {event: a}, weeks: 60}
                """)).isInstanceOf(ConfigException.class).hasMessage("retention[0].weeks: must be 1 to 53, was 60");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                funnels:
                  - {name: checkout, window: 7, steps: [{event: a}, {event: b}]}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("funnels[0].window: unknown key (known keys here: name, steps, window_days)");
    }

    @Test
    void sessionsAreOffUnlessConfiguredAndTheirMistakesNameTheirPath() throws IOException {
        assertThat(LOADER.parse("kafka: {bootstrap_servers: b, topics: [t]}\n").sessions()).isEmpty();
        SessionDefinition example = LOADER.parse(commentedExample("# sessions:")).sessions().orElseThrow();
        assertThat(List.of(example.gapMinutes(), example.property(), example.values()))
                .containsExactly(30, "context.device.type", List.of("ios", "android", "web"));
        assertThat(LOADER.parse("kafka: {bootstrap_servers: b, topics: [t]}\nsessions: {}\n").sessions())
                .hasValueSatisfying(s -> assertThat(CompiledSessions.compile(s).gapMillis()).isEqualTo(1_800_000L));
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                sessions: {gap_minutes: 0}
                """)).isInstanceOf(ConfigException.class).hasMessage("sessions.gap_minutes: must be 1 to 1440, was 0");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                sessions: {property: device.type, values: [ios]}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("sessions.property: must be 'event' or"
                + " a dotted path");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                sessions: {property: context.device.type}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("sessions.values: with a property,"
                + " must list 1 to 20 values");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                sessions: {property: context.device.type, values: [ios, other]}
                """)).isInstanceOf(ConfigException.class).hasMessageStartingWith("sessions.values[1]: 'other' is"
                + " reserved");
        assertThatThrownBy(() -> LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                sessions: {gap: 30}
                """)).isInstanceOf(ConfigException.class)
                .hasMessage("sessions.gap: unknown key (known keys here: gap_minutes, property, values)");
    }

    /** The commented example of deploy/tally.yaml that starts at {@code firstLine}, uncommented, with a source. */
    private static String commentedExample(String firstLine) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "deploy", "tally.yaml"));
        StringBuilder example = new StringBuilder("kafka: {bootstrap_servers: b, topics: [t]}\n");
        for (int i = lines.indexOf(firstLine); i < lines.size() && lines.get(i).startsWith("#"); i++) {
            example.append(lines.get(i).substring(2)).append('\n');
        }
        return example.toString();
    }

    @Test
    void filesAloneAreASource() {
        TallyConfig config = LOADER.parse("""
                files:
                  directory: /var/log/events
                  glob: "*.jsonl.gz"
                  max_batch_lines: 5000
                  idle_timeout_ms: 2000
                """);
        assertThat(config.kafka()).isEmpty();
        var files = config.files().orElseThrow();
        assertThat(files.directory()).isEqualTo("/var/log/events");
        assertThat(files.glob()).isEqualTo("*.jsonl.gz");
        assertThat(files.maxBatchLines()).isEqualTo(5000);
        assertThat(files.idleTimeoutMillis()).isEqualTo(2000);
        assertThat(files.maxBatchBytes()).isEqualTo(32 * 1024 * 1024);
        assertThatThrownBy(() -> LOADER.parse("files: {directory: /d, max_line_bytes: 0}"))
                .isInstanceOf(ConfigException.class).hasMessage("files.max_line_bytes: must be positive, was 0");
        assertThat(files.done()).isEmpty();
        assertThat(files.maxFilesPerBatch()).isEqualTo(256);
        assertThat(files.maxReadAttempts()).isEqualTo(5);
        assertThat(files.followLinksOutside()).isFalse();
        var limits = LOADER.parse("files: {directory: /d, max_files_per_batch: 50, max_read_attempts: 2,"
                + " follow_links_outside: true}").files().orElseThrow();
        assertThat(limits.maxFilesPerBatch()).isEqualTo(50);
        assertThat(limits.maxReadAttempts()).isEqualTo(2);
        assertThat(limits.followLinksOutside()).isTrue();
        assertThatThrownBy(() -> LOADER.parse("files: {directory: /d, max_files_per_batch: 0}"))
                .isInstanceOf(ConfigException.class).hasMessage("files.max_files_per_batch: must be positive, was 0");
    }

    @Test
    void anObjectStoreAloneIsASource() {
        var objects = LOADER.parse("""
                objects:
                  bucket: segment-logs
                  prefixes: [web/, ios/]
                  endpoint: http://127.0.0.1:9000
                  max_batch_objects: 20
                """).objects().orElseThrow();
        assertThat(objects.bucket()).isEqualTo("segment-logs");
        assertThat(objects.prefixes()).containsExactly("web/", "ios/");
        assertThat(objects.pathStyle()).as("an S3-compatible store is addressed path-style by default").isTrue();
        assertThat(objects.maxBatchObjects()).isEqualTo(20);
        assertThat(objects.maxBatchLines()).isEqualTo(100_000);
        assertThat(objects.rangeBytes()).isEqualTo(8 * 1024 * 1024);

        var s3 = LOADER.parse("objects: {bucket: b, start_after: 'web/2026-12-01/', end_before: 'web/2026-12-08'}")
                .objects().orElseThrow();
        assertThat(s3.pathStyle()).isFalse();
        assertThat(s3.endpoint()).isNull();
        assertThat(s3.prefixes()).containsExactly("");
        assertThat(s3.startAfter()).isEqualTo("web/2026-12-01/");
        assertThat(s3.endBefore()).isEqualTo("web/2026-12-08");
        assertThatThrownBy(() -> LOADER.parse("objects: {bucket: b, start_after: '2026-12-08', end_before: '2026-12-01'}"))
                .isInstanceOf(ConfigException.class).hasMessage("objects.end_before: must sort after"
                        + " objects.start_after ('2026-12-08'), was '2026-12-01'");

        assertThat(LOADER.parse("s3: {bucket: segment-logs, prefixes: [web/]}").objects().orElseThrow())
                .as("s3: is the same section").isEqualTo(LOADER.parse("objects: {bucket: segment-logs, prefixes: [web/]}")
                        .objects().orElseThrow());
        assertThatThrownBy(() -> LOADER.parse("objects: {bucket: a}\ns3: {bucket: b}")).isInstanceOf(ConfigException.class)
                .hasMessage("s3: is another name of the objects section: give the object store once");
        assertThatThrownBy(() -> LOADER.parse("objects: {prefixes: [a/]}")).isInstanceOf(ConfigException.class)
                .hasMessage("objects.bucket: is required: the bucket the exports are in");
        assertThatThrownBy(() -> LOADER.parse("objects: {bucket: b, range_bytes: 0}"))
                .isInstanceOf(ConfigException.class).hasMessage("objects.range_bytes: must be positive, was 0");
        assertThatThrownBy(() -> LOADER.parse("objects: {bucket: b, endpoint: 'http://key:secret@127.0.0.1:9000'}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("objects.endpoint: must not hold credentials; the SDK's default credentials chain"
                        + " supplies them")
                .message().doesNotContain("secret@");
        assertThatThrownBy(() -> LOADER.parse("objects: {bucket: b, secret_access_key: x}"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("objects.secret_access_key: unknown key");
    }

    @Test
    void completedFilesMoveOnlyWhenADoneDirectoryIsGiven() {
        var files = LOADER.parse("files: {directory: /d, done_directory: /d/done, done_after_idle_ms: 60000}")
                .files().orElseThrow();
        assertThat(files.done()).contains(java.nio.file.Path.of("/d/done"));
        assertThat(files.doneAfterIdleMillis()).isEqualTo(60_000);
        assertThatThrownBy(() -> LOADER.parse("files: {directory: /d, done_directory: /d/}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("files.done_directory: must not be the watched directory itself, was /d/");
    }

    @Test
    void defaultFromEnvironmentReferenceIsUsedWhenUnset() {
        TallyConfig config = LOADER.parse("kafka: {bootstrap_servers: '${BROKERS:-localhost:9092}', topics: [t]}");
        assertThat(config.kafka().orElseThrow().bootstrapServers()).isEqualTo("localhost:9092");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> LOADER.load(Path.of("no-such.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("no-such.yaml: no such configuration file");
    }
}
