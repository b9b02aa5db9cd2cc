package io.tally.topology.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.transform.TransformConfig;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.state.cassandra.CassandraSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TallyConfigSchemaTest {
    private static final TallyConfigLoader LOADER = TallyConfigLoader.withEnvironment(Map.of("WORKERS", "3",
            "WORKERS_WORD", "three", "PW", "hunter2-secret"));
    private static final String KAFKA = "kafka: {bootstrap_servers: b, topics: [t]}\n";

    @Test
    void everyKeyIsDocumentedInADeclaredSectionAndDefinedOnce() {
        Set<String> paths = new HashSet<>();
        for (ConfigKey<?> key : TallyConfigSchema.keys()) {
            assertThat(paths.add(key.path())).as("%s defined once", key).isTrue();
            assertThat(key.path()).as("yaml path").matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
            assertThat(key.doc()).as("%s doc", key).isNotBlank();
            assertThat(key.section().isEmpty() || TallyConfigSchema.section(key.section()).isPresent())
                    .as("%s is in a declared section", key).isTrue();
            assertThat(key.required() && key.defaultValue() != null).as("%s required and defaulted", key).isFalse();
        }
    }

    /**
     * A key the loader never asks for would be accepted, documented and shown in deploy/tally.yaml (the two-way check
     * of {@link ConfigReferenceTest}) and still change nothing. So a file that opens every section, and gives the keys
     * that other keys are read under, has each of the schema's keys read while its settings are built.
     */
    @Test
    void everyKeyIsReadWhenTheSettingsAreBuilt() throws Exception {
        ConfigValues values = TallyConfigSchema.bind(JacksonErrors.MAPPER.readTree(KAFKA + """
                topology: {prometheus_port: 9464}
                cassandra: {username: u, password: p, ssl: {truststore_path: /t.p12, truststore_password: tp}}
                files: {directory: /d}
                objects: {bucket: bk}
                dashboard: {}
                backfill: {from: 2026-01-01T00:00:00Z, to: 2026-01-02T00:00:00Z}
                """));
        TallyConfigLoader.toConfig(values);
        assertThat(TallyConfigSchema.keys()).as("keys the loader never reads").isNotEmpty()
                .filteredOn(key -> !values.read().contains(key)).extracting(ConfigKey::path).isEmpty();
    }

    @Test
    void everyNumericKeyNamesItsUnitAndNoNameClaimsAUnitItDoesNotHave() {
        for (ConfigKey<?> key : TallyConfigSchema.keys()) {
            for (Unit unit : Unit.values()) {
                if (unit != Unit.NONE) {
                    assertThat(key.name().endsWith(unit.keySuffix())).as("%s ends with %s", key, unit.keySuffix())
                            .isEqualTo(key.unit() == unit);
                }
            }
        }
        assertThat(TallyConfigSchema.DEDUP_WINDOW_MS.unit()).isEqualTo(Unit.MILLISECONDS);
        assertThat(TallyConfigSchema.MESSAGE_TIMEOUT_SECS.unit()).isEqualTo(Unit.SECONDS);
    }

    @Test
    void aMinimalFileGetsTheDefaultsOfEveryModulesSettings() {
        TallyConfig config = LOADER.parse(KAFKA + "files: {directory: /d}\nobjects: {bucket: bk}\ndashboard: {}\n");
        assertThat(config.batch()).isEqualTo(BatchSettings.builder().build());
        assertThat(config.batch()).isEqualTo(new BatchSettings(1, 1, 1, 2, 10, 120));
        assertThat(config.ingest()).isEqualTo(IngestSettings.DEFAULTS);
        assertThat(config.cassandra()).isEqualTo(CassandraSettings.builder().build());
        assertThat(config.files()).contains(FileSpoutSettings.of("/d", "*"));
        assertThat(config.objects()).contains(ObjectStoreSettings.of("bk"));
        assertThat(config.transforms()).isEqualTo(TransformConfig.NONE);
        assertThat(config.dashboard()).isEqualTo(DashboardSettings.defaults());
        assertThat(config.dedupWindow()).isEqualTo(TallyConfig.DEFAULT_DEDUP_WINDOW).hasDays(8);
        assertThat(config.lagAllowance()).isEqualTo(TallyConfig.DEFAULT_LAG_ALLOWANCE).hasHours(23);
        assertThat(config.keyedStateMemoryBytes()).isEqualTo(512L << 20);
        assertThat(config.replication()).containsOnly(Map.entry("class", "SimpleStrategy"),
                Map.entry("replication_factor", "1"));
        KafkaSpoutSettings kafka = config.kafka().orElseThrow();
        KafkaSpoutSettings defaults = KafkaSpoutSettings.builder("b", List.of("t")).build();
        assertThat(List.of(kafka.maxPollRecords(), kafka.maxPartitionFetchBytes(), kafka.fetchMaxBytes()))
                .containsExactly(defaults.maxPollRecords(), defaults.maxPartitionFetchBytes(), defaults.fetchMaxBytes());
        assertThat(kafka.pollTimeoutMs()).isEqualTo(defaults.pollTimeoutMs());
        assertThat(config).hasToString(TallyConfig.builder().kafka(defaults).files(FileSpoutSettings.of("/d", "*"))
                .objects(ObjectStoreSettings.of("bk")).build().toString());
    }

    @Test
    void codeAndYamlAreRefusedWithTheSameMessageFromTheKeysRule() {
        String message = "aggregates.keyed_state_memory_mb: must be from 1 to 1048576 (MiB), was 0";
        assertThatThrownBy(() -> TallyConfig.builder().keyedStateMemoryMb(0)).hasMessage(message);
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "aggregates: {keyed_state_memory_mb: 0}")).hasMessage(message);
        assertThatThrownBy(() -> BatchSettings.builder().maxSpoutPending(-1).build())
                .hasMessage("topology.max_spout_pending: must be a positive integer, was -1");
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "topology: {max_spout_pending: -1}"))
                .hasMessage("topology.max_spout_pending: must be a positive integer, was -1");
        assertThatThrownBy(() -> new PrometheusEndpoint("127.0.0.1", 65_536))
                .hasMessage("topology.prometheus_port: must be a port (1-65535, 0: any free one), was 65536");
    }

    @Test
    void anUnknownKeyIsRefusedWithTheNearestKnownOne() {
        assertThatThrownBy(() -> LOADER.parse("kafka: {bootstrap_servers: b, topics: [t], max_pol_records: 5}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("kafka.max_pol_records: unknown key (did you mean kafka.max_poll_records?); the keys of"
                        + " kafka are bootstrap_servers, consumer, fetch_max_bytes, max_partition_fetch_bytes,"
                        + " max_poll_records, poll_timeout_ms, topics");
        assertThatThrownBy(() -> LOADER.parse("kafak: {bootstrap_servers: b, topics: [t]}"))
                .hasMessageStartingWith("kafak: unknown key (did you mean kafka?); the keys of the top of the file are");
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "aggregates: {window_ms: 5}"))
                .hasMessageStartingWith("aggregates.window_ms: unknown key; the keys of aggregates are dedup_window_ms,");
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "dashboard: {basic_auth: {usr: a}}"))
                .hasMessageStartingWith("dashboard.basic_auth.usr: unknown key (did you mean dashboard.basic_auth.user?)");
    }

    @Test
    void aSecretIsNeverShownInAMessage() {
        ConfigKey<String> token = ConfigKey.builder("x.token", ValueType.STRING, key -> { })
                .secret().check(Check.matches("[a-z]+", "lower-case letters")).doc("a test secret").define();
        assertThatThrownBy(() -> token.validate("hunter2-secret"))
                .hasMessage("x.token: must be lower-case letters, was ****");
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "cassandra: {username: u, password: [hunter2-secret]}"))
                .hasMessage("cassandra.password: expected a string");
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "cassandra: {password: '${PW}'}"))
                .hasMessage("cassandra: Cassandra username and password must be given together");
        assertThat(TallyConfigSchema.keys()).filteredOn(ConfigKey::secret).extracting(ConfigKey::path)
                .containsExactlyInAnyOrder("cassandra.password", "cassandra.ssl.truststore_password",
                        "dashboard.basic_auth.password");
    }

    @Test
    void numbersAndFlagsMayComeFromTheEnvironmentAsText() {
        assertThat(LOADER.parse(KAFKA + "topology: {workers: '${WORKERS}'}").batch().workers()).isEqualTo(3);
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "topology: {workers: '${WORKERS_WORD}'}"))
                .hasMessage("topology.workers: expected an integer, was 'three'");
        assertThat(LOADER.parse(KAFKA + "cassandra: {ssl: 'true'}").cassandra().ssl()).isTrue();
    }

    @Test
    void outOfRangeAndEmptyValuesNameTheirKey() {
        assertThatThrownBy(() -> LOADER.parse("kafka: {bootstrap_servers: b, topics: [t], fetch_max_bytes: 3000000000}"))
                .hasMessage("kafka.fetch_max_bytes: expected an integer up to 2147483647, was 3000000000");
        assertThatThrownBy(() -> LOADER.parse("kafka: {bootstrap_servers: b, topics: []}"))
                .hasMessage("kafka.topics: is required: a list of one or more topic names");
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "ingest: {reject_ttl_days: 9000}"))
                .hasMessage("ingest.reject_ttl_days: must be from 0 to 7300 (days), was 9000");
        assertThatThrownBy(() -> LOADER.parse(KAFKA + "topology: 5"))
                .hasMessage("topology: expected a mapping of keys to values");
        assertThat(LOADER.parse(KAFKA + "topology: {workers: ~}").batch().workers()).isEqualTo(1);
    }
}
