package io.tally.topology.config;

import static io.tally.topology.config.TallyConfigSchema.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tally.bolts.ingest.BackfillSpan;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.transform.TransformConfig;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.state.cassandra.CassandraSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code tally.yaml} into a {@link TallyConfig}. Every key, its type, default and rules are in
 * {@link TallyConfigSchema}; unknown keys, wrong types and bad values are refused with one message naming the key.
 * This class only assembles the checked values into the settings objects of the modules that use them.
 *
 * <p>Any string value may be {@code ${NAME}} or {@code ${NAME:-default}}: it is replaced by the
 * environment variable {@code NAME}, which is how secrets stay out of the file.
 */
public final class TallyConfigLoader {
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final Function<String, String> environment;

    private TallyConfigLoader(Function<String, String> environment) {
        this.environment = environment;
    }

    /** Reads {@code ${NAME}} references from the process environment. */
    public static TallyConfigLoader withSystemEnvironment() {
        return new TallyConfigLoader(System::getenv);
    }

    /** Reads {@code ${NAME}} references from the given map (for tests). */
    public static TallyConfigLoader withEnvironment(Map<String, String> environment) {
        return new TallyConfigLoader(environment::get);
    }

    public TallyConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such configuration file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    public TallyConfig parse(String yamlText) {
        JsonNode tree;
        try {
            tree = JacksonErrors.MAPPER.readTree(yamlText);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException("the configuration is empty");
        }
        if (!tree.isObject()) {
            throw new ConfigException("the configuration must be a mapping of sections ("
                    + String.join(", ", sections().stream().filter(s -> s.parent().isEmpty()).map(ConfigSection::path)
                            .toList()) + ", segments, funnels, retention, sessions)");
        }
        resolveEnvironment(tree, "");
        return toConfig(TallyConfigSchema.bind(tree));
    }

    /** The settings of a bound file: package-private so a test can see which keys they use. */
    static TallyConfig toConfig(ConfigValues values) {
        TallyConfig.Builder config = TallyConfig.builder();
        for (ConfigKey<?> key : keys()) {
            try {
                key.applyTo(config, values);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e); // the value objects name their key
            }
        }
        config.batch(new BatchSettings(values.get(WORKERS), values.get(SPOUT_PARALLELISM), values.get(PARALLELISM),
                values.get(MAX_SPOUT_PENDING), values.get(BATCH_EMIT_INTERVAL_MS), values.get(MESSAGE_TIMEOUT_SECS)));
        values.given(PROMETHEUS_PORT).ifPresent(port ->
                config.prometheus(new PrometheusEndpoint(values.get(PROMETHEUS_BIND), port)));
        if (values.has("kafka")) {
            config.kafka(section("kafka", () -> kafka(values)));
        }
        if (values.has("files")) {
            config.files(section("files", () -> files(values)));
        }
        if (values.has("objects")) {
            config.objects(section("objects", () -> objects(values)));
        }
        if (values.has("dashboard")) {
            config.dashboard(section("dashboard", () -> new DashboardSettings(values.get(DASHBOARD_BIND),
                    values.get(DASHBOARD_PORT), values.get(DASHBOARD_USER), values.get(DASHBOARD_PASSWORD), List.of())));
        }
        config.cassandra(section("cassandra", () -> cassandra(values)));
        config.replication(values.get(CASSANDRA_REPLICATION));
        config.ingest(section("ingest", () -> new IngestSettings(values.get(INGEST_MAX_RECORD_BYTES),
                values.get(INGEST_MAX_DEPTH), values.get(INGEST_MAX_STRING_LENGTH), values.get(INGEST_MAX_PROPERTIES),
                values.get(INGEST_FUTURE_TOLERANCE_MS), values.get(INGEST_REJECT_PAYLOAD_BYTES),
                values.get(INGEST_MAX_LATENESS_MS), values.get(INGEST_MAX_MESSAGE_ID_LENGTH),
                values.get(INGEST_REJECT_TTL_DAYS))));
        if (values.has("backfill")) {
            config.backfill(section("backfill", () -> new BackfillSpan(values.get(BACKFILL_FROM), values.get(BACKFILL_TO))));
        }
        try {
            config.transforms(new TransformConfig(values.get(TRANSFORM_STEPS), values.get(TRANSFORM_BREAKDOWN_PROPERTIES)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e); // already names its key
        }
        return config.build();
    }

    private static KafkaSpoutSettings kafka(ConfigValues values) {
        return KafkaSpoutSettings.builder(values.get(KAFKA_BOOTSTRAP_SERVERS), values.get(KAFKA_TOPICS))
                .maxPollRecords(values.get(KAFKA_MAX_POLL_RECORDS))
                .maxPartitionFetchBytes(values.get(KAFKA_MAX_PARTITION_FETCH_BYTES))
                .fetchMaxBytes(values.get(KAFKA_FETCH_MAX_BYTES))
                .pollTimeoutMs(values.get(KAFKA_POLL_TIMEOUT_MS))
                .consumerProperties(values.given(KAFKA_CONSUMER).orElse(Map.of()))
                .build();
    }

    private static FileSpoutSettings files(ConfigValues values) {
        String done = values.get(FILES_DONE_DIRECTORY);
        try {
            return new FileSpoutSettings(values.get(FILES_DIRECTORY), values.get(FILES_GLOB),
                    values.get(FILES_MAX_BATCH_LINES), values.get(FILES_MAX_BATCH_BYTES),
                    values.get(FILES_MAX_LINE_BYTES), values.get(FILES_IDLE_TIMEOUT_MS),
                    values.get(FILES_SCAN_INTERVAL_MS), done == null || done.isBlank() ? null : done,
                    values.get(FILES_DONE_AFTER_IDLE_MS), values.get(FILES_MAX_FILES_PER_BATCH),
                    values.get(FILES_MAX_READ_ATTEMPTS), values.get(FILES_FOLLOW_LINKS_OUTSIDE));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e); // names its key
        }
    }

    private static ObjectStoreSettings objects(ConfigValues values) {
        String endpoint = values.get(OBJECTS_ENDPOINT);
        try {
            return new ObjectStoreSettings(values.get(OBJECTS_BUCKET), values.get(OBJECTS_PREFIXES), endpoint,
                    values.get(OBJECTS_REGION), values.given(OBJECTS_PATH_STYLE).orElse(endpoint != null),
                    values.get(OBJECTS_START_AFTER), values.get(OBJECTS_END_BEFORE),
                    values.get(OBJECTS_MAX_BATCH_LINES), values.get(OBJECTS_MAX_BATCH_BYTES),
                    values.get(OBJECTS_MAX_BATCH_OBJECTS), values.get(OBJECTS_MAX_LINE_BYTES),
                    values.get(OBJECTS_RANGE_BYTES), values.get(OBJECTS_SCAN_INTERVAL_MS),
                    values.get(OBJECTS_MAX_ATTEMPTS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e); // names its key
        }
    }

    private static CassandraSettings cassandra(ConfigValues values) {
        CassandraSettings.Builder builder = CassandraSettings.builder()
                .contactPoints(values.get(CASSANDRA_CONTACT_POINTS))
                .localDatacenter(values.get(CASSANDRA_LOCAL_DATACENTER))
                .keyspace(values.get(CASSANDRA_KEYSPACE))
                .consistency(values.get(CASSANDRA_READ_CONSISTENCY), values.get(CASSANDRA_WRITE_CONSISTENCY))
                .requestTimeout(Duration.ofMillis(values.get(CASSANDRA_REQUEST_TIMEOUT_MS)))
                .maxRequestsInFlight(values.get(CASSANDRA_MAX_REQUESTS_IN_FLIGHT))
                .ssl(values.get(CASSANDRA_SSL_ENABLED))
                .sslHostnameVerification(values.get(CASSANDRA_SSL_HOSTNAME_VERIFICATION));
        if (values.given(CASSANDRA_USERNAME).isPresent() || values.given(CASSANDRA_PASSWORD).isPresent()) {
            builder.credentials(values.get(CASSANDRA_USERNAME), values.get(CASSANDRA_PASSWORD));
        }
        values.given(CASSANDRA_SSL_TRUSTSTORE_PATH).ifPresent(path ->
                builder.sslTruststore(path, values.get(CASSANDRA_SSL_TRUSTSTORE_PASSWORD)));
        return builder.build();
    }

    /** Value objects check what spans several keys; their messages are prefixed with the section. */
    private static <T> T section(String key, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(key, e.getMessage());
        }
    }

    /** Replaces {@code ${NAME}} in every string value, in place. */
    private void resolveEnvironment(JsonNode node, String path) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String key = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    field.setValue(new TextNode(substitute(field.getValue().asText(), key)));
                } else {
                    resolveEnvironment(field.getValue(), key);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode element = node.get(i);
                String key = path + "[" + i + "]";
                if (element.isTextual()) {
                    ((ArrayNode) node).set(i, new TextNode(substitute(element.asText(), key)));
                } else {
                    resolveEnvironment(element, key);
                }
            }
        }
    }

    private String substitute(String value, String key) {
        Matcher m = ENV_REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = environment.apply(m.group(1));
            if (replacement == null) {
                if (m.group(2) == null) {
                    throw ConfigException.at(key, "refers to environment variable " + m.group(1) + ", which is not set");
                }
                replacement = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
