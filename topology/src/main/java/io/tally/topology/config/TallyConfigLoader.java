package io.tally.topology.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tally.bolts.ingest.BackfillSpan;
import io.tally.dashboard.DashboardSettings;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.journey.FunnelDefinition;
import io.tally.bolts.journey.RetentionDefinition;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.bolts.segment.SegmentDefinition;
import io.tally.bolts.transform.TransformConfig;
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
import java.util.stream.Collectors;

/**
 * Reads {@code tally.yaml} into a {@link TallyConfig}. Unknown keys, wrong types and bad values are
 * refused with one message naming the key; see {@code deploy/tally.yaml} for every key.
 *
 * <p>Any string value may be {@code ${NAME}} or {@code ${NAME:-default}}: it is replaced by the
 * environment variable {@code NAME}, which is how secrets stay out of the file.
 */
public final class TallyConfigLoader {
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
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
            tree = yaml.readTree(yamlText);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException("the configuration is empty");
        }
        if (!tree.isObject()) {
            throw new ConfigException("the configuration must be a mapping of sections (topology, kafka, files, objects (or s3), cassandra, ingest, transforms, aggregates, segments, funnels, retention, sessions)");
        }
        resolveEnvironment(tree, "");
        FileModel model;
        try {
            model = yaml.treeToValue(tree, FileModel.class);
        } catch (JsonProcessingException e) {
            throw describe(e);
        }
        return toConfig(model);
    }

    private TallyConfig toConfig(FileModel model) {
        TallyConfig.Builder config = TallyConfig.builder();
        TopologyModel topology = model.topology() == null ? new TopologyModel(null, null, null, null, null, null, null, null, null)
                : model.topology();
        if (topology.name() != null) {
            config.name(topology.name());
        }
        BatchSettings.Builder batch = BatchSettings.builder();
        setIfPresent(topology.workers(), batch::workers);
        setIfPresent(topology.spoutParallelism(), batch::spoutParallelism);
        setIfPresent(topology.parallelism(), batch::parallelism);
        setIfPresent(topology.maxSpoutPending(), batch::maxSpoutPending);
        setIfPresent(topology.batchEmitIntervalMs(), batch::emitIntervalMillis);
        setIfPresent(topology.messageTimeoutSecs(), batch::messageTimeoutSecs);
        config.batch(batch.build());
        if (topology.prometheusPort() != null) {
            config.prometheus(section("topology", () -> new PrometheusEndpoint(
                    topology.prometheusBind() == null ? PrometheusEndpoint.DEFAULT_BIND : topology.prometheusBind(),
                    topology.prometheusPort())));
        }

        if (model.kafka() != null) {
            config.kafka(section("kafka", () -> kafka(model.kafka())));
        }
        if (model.files() != null) {
            config.files(section("files", () -> files(model.files())));
        }
        if (model.objects() != null && model.s3() != null) {
            throw ConfigException.at("s3", "is another name of the objects section: give the object store once");
        }
        ObjectsModel objectStore = model.objects() != null ? model.objects() : model.s3();
        if (objectStore != null) {
            config.objects(section("objects", () -> objects(objectStore)));
        }
        if (model.dashboard() != null) {
            DashboardModel dashboard = model.dashboard();
            BasicAuthModel auth = dashboard.basicAuth();
            config.dashboard(section("dashboard", () -> new DashboardSettings(
                    dashboard.bind() == null ? DashboardSettings.DEFAULT_BIND : dashboard.bind(),
                    dashboard.port() == null ? DashboardSettings.DEFAULT_PORT : dashboard.port(),
                    auth == null ? null : auth.user(), auth == null ? null : auth.password(), List.of())));
        }
        CassandraModel cassandra = model.cassandra();
        if (cassandra != null) {
            config.cassandra(section("cassandra", () -> cassandra(cassandra)));
            if (cassandra.replication() != null) {
                config.replication(cassandra.replication());
            }
        }
        if (model.ingest() != null) {
            config.ingest(model.ingest());
        }
        if (model.aggregates() != null && model.aggregates().dedupWindowMs() != null) {
            config.dedupWindow(java.time.Duration.ofMillis(model.aggregates().dedupWindowMs()));
        }
        if (model.aggregates() != null && model.aggregates().keyedStateMemoryMb() != null) {
            config.keyedStateMemoryMb(model.aggregates().keyedStateMemoryMb());
        }
        if (model.aggregates() != null && model.aggregates().lagAllowanceMs() != null) {
            config.lagAllowance(java.time.Duration.ofMillis(model.aggregates().lagAllowanceMs()));
        }
        if (model.backfill() != null) {
            config.backfill(section("backfill", () -> new BackfillSpan(instant("backfill.from", model.backfill().from()),
                    instant("backfill.to", model.backfill().to()))));
        }
        if (model.transforms() != null) {
            try {
                config.transforms(model.transforms());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e); // already names its key
            }
        }
        if (model.segments() != null) {
            try {
                config.segments(model.segments());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e); // already names its key
            }
        }
        if (model.funnels() != null) {
            try {
                config.funnels(model.funnels());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e); // already names its key
            }
        }
        if (model.retention() != null) {
            try {
                config.retention(model.retention());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e); // already names its key
            }
        }
        if (model.sessions() != null) {
            try {
                config.sessions(model.sessions());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e); // already names its key
            }
        }
        return config.build();
    }

    private static KafkaSpoutSettings kafka(KafkaModel kafka) {
        if (kafka.bootstrapServers() == null) {
            throw ConfigException.at("kafka.bootstrap_servers", "is required, e.g. broker1:9092,broker2:9092");
        }
        if (kafka.topics() == null || kafka.topics().isEmpty()) {
            throw ConfigException.at("kafka.topics", "is required: a list of one or more topic names");
        }
        KafkaSpoutSettings.Builder builder = KafkaSpoutSettings.builder(kafka.bootstrapServers(), kafka.topics());
        setIfPresent(positive(kafka.maxPollRecords(), "kafka.max_poll_records"), builder::maxPollRecords);
        setIfPresent(positive(kafka.maxPartitionFetchBytes(), "kafka.max_partition_fetch_bytes"),
                builder::maxPartitionFetchBytes);
        setIfPresent(positive(kafka.fetchMaxBytes(), "kafka.fetch_max_bytes"), builder::fetchMaxBytes);
        setIfPresent(positive(kafka.pollTimeoutMs(), "kafka.poll_timeout_ms"), builder::pollTimeoutMs);
        if (kafka.consumer() != null) {
            builder.consumerProperties(kafka.consumer());
        }
        return builder.build();
    }

    private static FileSpoutSettings files(FilesModel files) {
        if (files.directory() == null || files.directory().isBlank()) {
            throw ConfigException.at("files.directory", "is required: the directory of the log files");
        }
        FileSpoutSettings defaults = FileSpoutSettings.of(files.directory(), files.glob() == null ? "*" : files.glob());
        try {
            return new FileSpoutSettings(defaults.directory(), defaults.glob(),
                    orDefault(files.maxBatchLines(), defaults.maxBatchLines()),
                    orDefault(files.maxBatchBytes(), defaults.maxBatchBytes()),
                    orDefault(files.maxLineBytes(), defaults.maxLineBytes()),
                    orDefault(files.idleTimeoutMs(), defaults.idleTimeoutMillis()),
                    orDefault(files.scanIntervalMs(), defaults.scanIntervalMillis()),
                    files.doneDirectory() == null || files.doneDirectory().isBlank() ? null : files.doneDirectory(),
                    orDefault(files.doneAfterIdleMs(), defaults.doneAfterIdleMillis()),
                    orDefault(files.maxFilesPerBatch(), defaults.maxFilesPerBatch()),
                    orDefault(files.maxReadAttempts(), defaults.maxReadAttempts()),
                    orDefault(files.followLinksOutside(), defaults.followLinksOutside()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e); // names its key
        }
    }

    private static ObjectStoreSettings objects(ObjectsModel objects) {
        if (objects.bucket() == null || objects.bucket().isBlank()) {
            throw ConfigException.at("objects.bucket", "is required: the bucket the exports are in");
        }
        ObjectStoreSettings defaults = ObjectStoreSettings.of(objects.bucket());
        try {
            return new ObjectStoreSettings(objects.bucket(), objects.prefixes(), objects.endpoint(), objects.region(),
                    orDefault(objects.pathStyle(), objects.endpoint() != null),
                    objects.startAfter(), objects.endBefore(),
                    orDefault(objects.maxBatchLines(), defaults.maxBatchLines()),
                    orDefault(objects.maxBatchBytes(), defaults.maxBatchBytes()),
                    orDefault(objects.maxBatchObjects(), defaults.maxBatchObjects()),
                    orDefault(objects.maxLineBytes(), defaults.maxLineBytes()),
                    orDefault(objects.rangeBytes(), defaults.rangeBytes()),
                    orDefault(objects.scanIntervalMs(), defaults.scanIntervalMillis()),
                    orDefault(objects.maxAttempts(), defaults.maxAttempts()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e); // names its key
        }
    }

    private static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static CassandraSettings cassandra(CassandraModel cassandra) {
        CassandraSettings.Builder builder = CassandraSettings.builder();
        if (cassandra.contactPoints() != null) {
            builder.contactPoints(cassandra.contactPoints());
        }
        setIfPresent(cassandra.localDatacenter(), builder::localDatacenter);
        setIfPresent(cassandra.keyspace(), builder::keyspace);
        if (cassandra.username() != null || cassandra.password() != null) {
            builder.credentials(cassandra.username(), cassandra.password());
        }
        if (cassandra.readConsistency() != null || cassandra.writeConsistency() != null) {
            builder.consistency(consistency(cassandra.readConsistency(), "read_consistency"),
                    consistency(cassandra.writeConsistency(), "write_consistency"));
        }
        if (cassandra.requestTimeoutMs() != null) {
            builder.requestTimeout(Duration.ofMillis(positive(cassandra.requestTimeoutMs(), "cassandra.request_timeout_ms")));
        }
        setIfPresent(positive(cassandra.maxRequestsInFlight(), "cassandra.max_requests_in_flight"),
                builder::maxRequestsInFlight);
        ssl(cassandra.ssl(), builder);
        return builder.build();
    }

    private static final List<String> CONSISTENCY_LEVELS =
            List.of("ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE");

    private static String consistency(String level, String key) {
        if (level == null) {
            return "LOCAL_QUORUM";
        }
        String upper = level.trim().toUpperCase();
        if (!CONSISTENCY_LEVELS.contains(upper)) {
            throw ConfigException.at("cassandra." + key, "must be one of " + CONSISTENCY_LEVELS + ", was '" + level + "'");
        }
        return upper;
    }

    private static <N extends Number> N positive(N value, String key) {
        if (value != null && value.longValue() <= 0) {
            throw ConfigException.at(key, "must be positive, was " + value);
        }
        return value;
    }

    private static <T> T section(String key, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(key, e.getMessage());
        }
    }

    private static <T> void setIfPresent(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
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
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, new TextNode(substitute(element.asText(), key)));
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

    private static ConfigException describe(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping)) {
            return new ConfigException(e.getOriginalMessage(), e);
        }
        if (e.getCause() instanceof IllegalArgumentException invalid) {
            // Value objects validate themselves and name their key in the message.
            return new ConfigException(invalid.getMessage(), e);
        }
        String key = mapping.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidTypeIdException unknownStep) {
            return ConfigException.at(key, "unknown transform '" + unknownStep.getTypeId() + "' (known: rename_event,"
                    + " normalize_event_names, drop_events, drop_properties, rename_property, derive_property)");
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return ConfigException.at(key, "unknown key" + (known.isEmpty() ? "" : " (known keys here: " + known + ")"));
        }
        if (e instanceof InvalidFormatException format) {
            return ConfigException.at(key, "expected " + typeName(format.getTargetType()) + ", was '" + format.getValue() + "'");
        }
        if (e instanceof MismatchedInputException mismatch) {
            return ConfigException.at(key, "expected " + typeName(mismatch.getTargetType()));
        }
        return ConfigException.at(key, e.getOriginalMessage());
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys to values";
        }
        return "a " + type.getSimpleName().toLowerCase();
    }

    /** {@code collector} is the HTTP collector's section (module collector), read by it and not here. */
    record FileModel(TopologyModel topology, KafkaModel kafka, FilesModel files, ObjectsModel objects, ObjectsModel s3,
            CassandraModel cassandra,
            IngestSettings ingest, TransformConfig transforms, AggregatesModel aggregates, BackfillModel backfill,
            List<SegmentDefinition> segments, List<FunnelDefinition> funnels,
            List<RetentionDefinition> retention, JsonNode collector, DashboardModel dashboard,
            SessionDefinition sessions) {
    }

    record DashboardModel(String bind, Integer port, @JsonProperty("basic_auth") BasicAuthModel basicAuth) {
    }

    record BasicAuthModel(String user, String password) {
    }

    record AggregatesModel(@JsonProperty("dedup_window_ms") Long dedupWindowMs,
            @JsonProperty("lag_allowance_ms") Long lagAllowanceMs,
            @JsonProperty("keyed_state_memory_mb") Long keyedStateMemoryMb) {
    }

    /** {@code from} and {@code to} are ISO-8601 date-times, e.g. {@code 2026-01-01T00:00:00Z}. */
    record BackfillModel(String from, String to) {
    }

    private static java.time.Instant instant(String key, String text) {
        if (text == null) {
            throw ConfigException.at(key, "is required: an ISO-8601 date-time such as 2026-01-01T00:00:00Z");
        }
        try {
            return java.time.Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw ConfigException.at(key, "must be an ISO-8601 date-time such as 2026-01-01T00:00:00Z, was '" + text
                    + "'");
        }
    }

    record TopologyModel(String name, Integer workers,
            @JsonProperty("spout_parallelism") Integer spoutParallelism,
            Integer parallelism,
            @JsonProperty("max_spout_pending") Integer maxSpoutPending,
            @JsonProperty("batch_emit_interval_ms") Integer batchEmitIntervalMs,
            @JsonProperty("message_timeout_secs") Integer messageTimeoutSecs,
            @JsonProperty("prometheus_port") Integer prometheusPort,
            @JsonProperty("prometheus_bind") String prometheusBind) {
    }

    record KafkaModel(@JsonProperty("bootstrap_servers") String bootstrapServers,
            List<String> topics,
            @JsonProperty("max_poll_records") Integer maxPollRecords,
            @JsonProperty("max_partition_fetch_bytes") Integer maxPartitionFetchBytes,
            @JsonProperty("fetch_max_bytes") Integer fetchMaxBytes,
            @JsonProperty("poll_timeout_ms") Long pollTimeoutMs,
            Map<String, String> consumer) {
    }

    record FilesModel(String directory, String glob,
            @JsonProperty("max_batch_lines") Integer maxBatchLines,
            @JsonProperty("max_batch_bytes") Integer maxBatchBytes,
            @JsonProperty("max_line_bytes") Integer maxLineBytes,
            @JsonProperty("idle_timeout_ms") Long idleTimeoutMs,
            @JsonProperty("scan_interval_ms") Long scanIntervalMs,
            @JsonProperty("done_directory") String doneDirectory,
            @JsonProperty("done_after_idle_ms") Long doneAfterIdleMs,
            @JsonProperty("max_files_per_batch") Integer maxFilesPerBatch,
            @JsonProperty("max_read_attempts") Integer maxReadAttempts,
            @JsonProperty("follow_links_outside") Boolean followLinksOutside) {
    }

    /** No credentials here: the object store's client takes them from the SDK's default chain on each worker. */
    record ObjectsModel(String bucket, List<String> prefixes, String endpoint, String region,
            @JsonProperty("path_style") Boolean pathStyle,
            @JsonProperty("start_after") String startAfter,
            @JsonProperty("end_before") String endBefore,
            @JsonProperty("max_batch_lines") Integer maxBatchLines,
            @JsonProperty("max_batch_bytes") Integer maxBatchBytes,
            @JsonProperty("max_batch_objects") Integer maxBatchObjects,
            @JsonProperty("max_line_bytes") Integer maxLineBytes,
            @JsonProperty("range_bytes") Integer rangeBytes,
            @JsonProperty("scan_interval_ms") Long scanIntervalMs,
            @JsonProperty("max_attempts") Integer maxAttempts) {
    }

    record CassandraModel(@JsonProperty("contact_points") List<String> contactPoints,
            @JsonProperty("local_datacenter") String localDatacenter,
            String keyspace,
            Map<String, String> replication,
            String username,
            String password,
            @JsonProperty("read_consistency") String readConsistency,
            @JsonProperty("write_consistency") String writeConsistency,
            @JsonProperty("request_timeout_ms") Long requestTimeoutMs,
            @JsonProperty("max_requests_in_flight") Integer maxRequestsInFlight,
            Object ssl) {
    }

    private static final java.util.Set<String> SSL_KEYS = java.util.Set.of("enabled", "hostname_verification",
            "truststore_path", "truststore_password");

    /** {@code ssl: true}, or a mapping of {@link #SSL_KEYS} (enabled unless {@code enabled: false}). */
    private static void ssl(Object ssl, CassandraSettings.Builder builder) {
        if (ssl == null) {
            return;
        }
        if (ssl instanceof Boolean enabled) {
            builder.ssl(enabled);
            return;
        }
        if (!(ssl instanceof Map<?, ?> options)) {
            throw ConfigException.at("cassandra.ssl", "must be true, false or a mapping of " + new java.util.TreeSet<>(SSL_KEYS));
        }
        for (Object key : options.keySet()) {
            if (!SSL_KEYS.contains(String.valueOf(key))) {
                throw ConfigException.at("cassandra.ssl." + key, "is not a setting; the settings are "
                        + new java.util.TreeSet<>(SSL_KEYS));
            }
        }
        builder.ssl(flag(options.get("enabled"), "enabled", true));
        builder.sslHostnameVerification(flag(options.get("hostname_verification"), "hostname_verification", true));
        Object path = options.get("truststore_path");
        Object password = options.get("truststore_password");
        if (password != null && path == null) {
            throw ConfigException.at("cassandra.ssl.truststore_password", "needs cassandra.ssl.truststore_path");
        }
        if (path != null) {
            if (!(path instanceof String text) || text.isBlank()) {
                throw ConfigException.at("cassandra.ssl.truststore_path", "must be the path of a trust store file");
            }
            builder.sslTruststore(text, password == null ? null : String.valueOf(password));
        }
    }

    private static boolean flag(Object value, String key, boolean absent) {
        if (value == null) {
            return absent;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw ConfigException.at("cassandra.ssl." + key, "must be true or false, was '" + value + "'");
    }
}
