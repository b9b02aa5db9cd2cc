package io.tally.topology.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.journey.FunnelDefinition;
import io.tally.bolts.journey.RetentionDefinition;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.bolts.segment.SegmentDefinition;
import io.tally.bolts.transform.TransformStep;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.state.cassandra.CassandraSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every key of {@code tally.yaml}, each defined once: path, type, unit, default, rules and a line of documentation.
 * {@link TallyConfigLoader} binds files with it, {@link ConfigReference} writes docs/configuration.md's reference
 * from it, and the topology's own settings ({@link BatchSettings}, {@link TallyConfig}) take their defaults and checks
 * from it. The defaults of settings owned by other modules (Kafka, files, objects, Cassandra, ingest, dashboard) are
 * read from those modules' value objects, so each default is still written once.
 *
 * <p>Adding a key is one definition here, in the order the reference should list it. A key that sets a setting of
 * {@link TallyConfig.Builder} says how with {@code appliedBy}, and the loader applies it; a key of a new section
 * declares the section first. For example:
 * <pre>{@code
 * static {
 *     section("sessions", "how events are grouped into sessions");
 * }
 * public static final ConfigKey<Long> SESSIONS_GAP_MS = key("sessions.gap_ms", ValueType.LONG)
 *         .unit(Unit.MILLISECONDS).defaultValue(Duration.ofMinutes(30).toMillis()).check(Check.positive())
 *         .appliedBy((config, millis) -> config.sessionGap(Duration.ofMillis(millis)))
 *         .doc("a user's events further apart than this start a new session").define();
 * }</pre>
 * Then show the key in deploy/tally.yaml (ConfigReferenceTest holds the example to every key) and regenerate the
 * reference with the command ConfigReferenceTest prints. A key read into another module's settings object (Kafka,
 * files, ...) is passed to that object's constructor or builder in {@link TallyConfigLoader} instead.
 */
public final class TallyConfigSchema {
    private static final List<ConfigKey<?>> KEYS = new ArrayList<>();
    private static final List<ConfigSection> SECTIONS = new ArrayList<>();

    private static final KafkaSpoutSettings KAFKA = KafkaSpoutSettings.builder("127.0.0.1:9092", List.of("events")).build();
    private static final FileSpoutSettings FILES = FileSpoutSettings.of("/", "*");
    private static final ObjectStoreSettings OBJECTS = ObjectStoreSettings.of("bucket");
    private static final CassandraSettings CASSANDRA = CassandraSettings.builder().build();
    private static final IngestSettings INGEST = IngestSettings.DEFAULTS;
    private static final List<String> CONSISTENCY_LEVELS =
            List.of("ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE");

    private TallyConfigSchema() {
    }

    // ---- topology -------------------------------------------------------------------------------------------------
    static {
        section("topology", "how the topology runs on the cluster");
    }

    public static final ConfigKey<String> TOPOLOGY_NAME = key("topology.name", ValueType.STRING)
            .defaultValue("tally")
            .check(Check.matches("[A-Za-z0-9][A-Za-z0-9_-]*",
                    "letters, digits, '-' or '_' (starting with a letter or digit)"))
            .appliedBy(TallyConfig.Builder::name)
            .doc("the topology's name on the cluster; a backfill runs under a name of its own")
            .define();
    public static final ConfigKey<Integer> WORKERS = key("topology.workers", ValueType.INT)
            .defaultValue(1).check(Check.positiveInteger())
            .doc("worker JVMs the topology asks the cluster for").define();
    public static final ConfigKey<Integer> SPOUT_PARALLELISM = key("topology.spout_parallelism", ValueType.INT)
            .defaultValue(1).check(Check.positiveInteger())
            .doc("spout tasks (parsing runs in them); a Kafka partition, file or prefix is read by one task").define();
    public static final ConfigKey<Integer> PARALLELISM = key("topology.parallelism", ValueType.INT)
            .defaultValue(1).check(Check.positiveInteger())
            .doc("tasks per keyed stage (dedup, per-user) and per Cassandra state").define();
    public static final ConfigKey<Integer> MAX_SPOUT_PENDING = key("topology.max_spout_pending", ValueType.INT)
            .defaultValue(2).check(Check.positiveInteger())
            .doc("batches in flight: the next is read while the last is written (Trident's default is 1)").define();
    public static final ConfigKey<Integer> BATCH_EMIT_INTERVAL_MS = key("topology.batch_emit_interval_ms", ValueType.INT)
            .unit(Unit.MILLISECONDS).defaultValue(10).check(Check.positiveInteger())
            .doc("least time between two batches (Trident's 500 ms caps a spout near a thousand events a second)")
            .define();
    public static final ConfigKey<Integer> MESSAGE_TIMEOUT_SECS = key("topology.message_timeout_secs", ValueType.INT)
            .unit(Unit.SECONDS).defaultValue(120).check(Check.positiveInteger())
            .doc("a batch not committed by then is failed and replayed").define();
    public static final ConfigKey<Integer> PROMETHEUS_PORT = key("topology.prometheus_port", ValueType.INT)
            .check(Check.port()).defaultDoc("none: no endpoint")
            .doc("serve the metrics for Prometheus on this port of the worker running the metrics consumer"
                    + " (docs/metrics-and-logs.md)").define();
    public static final ConfigKey<String> PROMETHEUS_BIND = key("topology.prometheus_bind", ValueType.STRING)
            .defaultValue(PrometheusEndpoint.DEFAULT_BIND)
            .check(new Check<>("an address", s -> !s.isBlank(), shown -> "must be an address to listen on, e.g. 0.0.0.0"))
            .doc("the address the metrics endpoint listens on; 0.0.0.0 for a Prometheus on another host").define();

    // ---- kafka ----------------------------------------------------------------------------------------------------
    static {
        section("kafka", "the Kafka topics read (docs/deploying.md); a topology reads Kafka, files, objects or several");
    }

    public static final ConfigKey<String> KAFKA_BOOTSTRAP_SERVERS = key("kafka.bootstrap_servers", ValueType.STRING)
            .required("the brokers, e.g. broker1:9092,broker2:9092")
            .doc("the brokers to connect to first").define();
    public static final ConfigKey<List<String>> KAFKA_TOPICS = key("kafka.topics", ValueType.STRING_LIST)
            .required("a list of one or more topic names")
            .doc("topics of Segment-style JSON events").define();
    public static final ConfigKey<Integer> KAFKA_MAX_POLL_RECORDS = key("kafka.max_poll_records", ValueType.INT)
            .defaultValue(KAFKA.maxPollRecords()).check(Check.positive())
            .doc("records one partition adds to a batch at most").define();
    public static final ConfigKey<Integer> KAFKA_MAX_PARTITION_FETCH_BYTES =
            key("kafka.max_partition_fetch_bytes", ValueType.INT).unit(Unit.BYTES)
                    .defaultValue(KAFKA.maxPartitionFetchBytes()).check(Check.positive())
                    .doc("the consumer's max.partition.fetch.bytes").define();
    public static final ConfigKey<Integer> KAFKA_FETCH_MAX_BYTES = key("kafka.fetch_max_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(KAFKA.fetchMaxBytes()).check(Check.positive())
            .doc("the consumer's fetch.max.bytes").define();
    public static final ConfigKey<Long> KAFKA_POLL_TIMEOUT_MS = key("kafka.poll_timeout_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(KAFKA.pollTimeoutMs()).check(Check.positive())
            .doc("longest wait of one poll").define();
    public static final ConfigKey<Map<String, String>> KAFKA_CONSUMER = key("kafka.consumer", ValueType.STRING_MAP)
            .defaultDoc("none")
            .doc("any other Kafka consumer property (security, client id, ...), passed through; passwords and JAAS"
                    + " configs are masked wherever settings are printed").define();

    // ---- cassandra ------------------------------------------------------------------------------------------------
    static {
        section("cassandra", "where the counts are kept");
    }

    public static final ConfigKey<List<String>> CASSANDRA_CONTACT_POINTS =
            key("cassandra.contact_points", ValueType.STRING_LIST)
                    .defaultValue(CASSANDRA.contactPoints())
                    .doc("host:port of nodes to connect to first; an empty list means the default").define();
    public static final ConfigKey<String> CASSANDRA_LOCAL_DATACENTER =
            key("cassandra.local_datacenter", ValueType.STRING)
                    .defaultValue(CASSANDRA.localDatacenter()).check(nonEmpty())
                    .doc("the datacenter whose nodes are asked").define();
    public static final ConfigKey<String> CASSANDRA_KEYSPACE = key("cassandra.keyspace", ValueType.STRING)
            .defaultValue(CASSANDRA.keyspace()).check(nonEmpty())
            .doc("the keyspace of Tally's tables").define();
    public static final ConfigKey<Map<String, String>> CASSANDRA_REPLICATION =
            key("cassandra.replication", ValueType.STRING_MAP)
                    .defaultValue(oneNodeReplication())
                    .defaultDoc("{class: SimpleStrategy, replication_factor: 1}")
                    .check(new Check<>("a mapping with a class", m -> m.containsKey("class"),
                            shown -> "needs a 'class', e.g. NetworkTopologyStrategy"))
                    .doc("replication of the keyspace when Tally creates it; NetworkTopologyStrategy in production")
                    .define();
    public static final ConfigKey<String> CASSANDRA_USERNAME = key("cassandra.username", ValueType.STRING)
            .defaultDoc("none: no authentication")
            .doc("PasswordAuthenticator user; given with the password").define();
    public static final ConfigKey<String> CASSANDRA_PASSWORD = key("cassandra.password", ValueType.STRING)
            .secret().defaultDoc("none")
            .doc("PasswordAuthenticator password; use ${NAME}").define();
    public static final ConfigKey<String> CASSANDRA_READ_CONSISTENCY = key("cassandra.read_consistency", ValueType.STRING)
            .defaultValue(CASSANDRA.readConsistency()).check(Check.oneOfIgnoringCase(CONSISTENCY_LEVELS))
            .normalized(TallyConfigSchema::upperCase)
            .doc("consistency of reads; a batch's read after its write must see it with a replica down").define();
    public static final ConfigKey<String> CASSANDRA_WRITE_CONSISTENCY =
            key("cassandra.write_consistency", ValueType.STRING)
                    .defaultValue(CASSANDRA.writeConsistency()).check(Check.oneOfIgnoringCase(CONSISTENCY_LEVELS))
                    .normalized(TallyConfigSchema::upperCase)
                    .doc("consistency of writes").define();
    public static final ConfigKey<Long> CASSANDRA_REQUEST_TIMEOUT_MS = key("cassandra.request_timeout_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(CASSANDRA.requestTimeout().toMillis()).check(Check.positive())
            .doc("a failed or timed-out request fails the batch, which is replayed").define();
    public static final ConfigKey<Integer> CASSANDRA_MAX_REQUESTS_IN_FLIGHT =
            key("cassandra.max_requests_in_flight", ValueType.INT)
                    .defaultValue(CASSANDRA.maxRequestsInFlight()).check(Check.positive())
                    .doc("requests one state partition has in flight at most").define();

    static {
        SECTIONS.add(new ConfigSection("cassandra.ssl", "TLS to Cassandra: `true`, or a mapping of these keys",
                List.of(), "enabled", null));
    }

    public static final ConfigKey<Boolean> CASSANDRA_SSL_ENABLED = key("cassandra.ssl.enabled", ValueType.BOOLEAN)
            .defaultValue(CASSANDRA.ssl()).defaultDoc("false; true when `ssl` is a mapping")
            .doc("TLS, every node's certificate checked against the trust store and naming the address connected to")
            .define();
    public static final ConfigKey<Boolean> CASSANDRA_SSL_HOSTNAME_VERIFICATION =
            key("cassandra.ssl.hostname_verification", ValueType.BOOLEAN)
                    .defaultValue(CASSANDRA.sslHostnameVerification())
                    .doc("false accepts any trusted certificate, whatever address it names (not recommended)").define();
    public static final ConfigKey<String> CASSANDRA_SSL_TRUSTSTORE_PATH =
            key("cassandra.ssl.truststore_path", ValueType.STRING)
                    .defaultDoc("the JVM's trust store")
                    .check(new Check<>("a file path", s -> !s.isBlank(),
                            shown -> "must be the path of a trust store file"))
                    .doc("a PKCS12 or JKS trust store holding the nodes' CA, on every host that runs a worker")
                    .define();
    public static final ConfigKey<String> CASSANDRA_SSL_TRUSTSTORE_PASSWORD =
            key("cassandra.ssl.truststore_password", ValueType.STRING)
                    .secret().requires(CASSANDRA_SSL_TRUSTSTORE_PATH).defaultDoc("none")
                    .doc("the trust store's password; use ${NAME}").define();

    // ---- ingest ---------------------------------------------------------------------------------------------------
    static {
        section("ingest", "limits of parsing and validation; a rejected record keeps its reason (docs/events.md)");
    }

    public static final ConfigKey<Integer> INGEST_MAX_RECORD_BYTES = key("ingest.max_record_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(INGEST.maxRecordBytes()).check(Check.positive())
            .doc("larger records are rejected unparsed (too_large)").define();
    public static final ConfigKey<Integer> INGEST_MAX_DEPTH = key("ingest.max_depth", ValueType.INT)
            .defaultValue(INGEST.maxDepth()).check(Check.positive())
            .doc("deeper nesting is rejected while parsing (too_deep)").define();
    public static final ConfigKey<Integer> INGEST_MAX_STRING_LENGTH = key("ingest.max_string_length", ValueType.INT)
            .defaultValue(INGEST.maxStringLength()).check(Check.positive())
            .doc("longer strings or names: string_too_long").define();
    public static final ConfigKey<Integer> INGEST_MAX_PROPERTIES = key("ingest.max_properties", ValueType.INT)
            .defaultValue(INGEST.maxProperties()).check(Check.positive())
            .doc("more properties or traits: too_many_properties").define();
    public static final ConfigKey<Long> INGEST_FUTURE_TOLERANCE_MS = key("ingest.future_tolerance_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(INGEST.futureToleranceMillis()).check(Check.notNegative())
            .doc("an event time this far after its receipt or Tally's first read: too_far_in_future; a receipt"
                    + " time after that read: received_in_future").define();
    public static final ConfigKey<Long> INGEST_MAX_LATENESS_MS = key("ingest.max_lateness_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(INGEST.maxLatenessMillis()).check(Check.positive())
            .doc("an event time this far before its receipt or Tally's first read: too_late").define();
    public static final ConfigKey<Integer> INGEST_REJECT_PAYLOAD_BYTES = key("ingest.reject_payload_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(INGEST.rejectPayloadBytes()).check(Check.positive())
            .doc("how much of a rejected record is kept with it").define();
    public static final ConfigKey<Integer> INGEST_REJECT_TTL_DAYS = key("ingest.reject_ttl_days", ValueType.INT)
            .unit(Unit.DAYS).defaultValue(INGEST.rejectTtlDays()).check(Check.range(0, 20 * 365, "days"))
            .doc("rejected_events rows expire this long after they are written; 0: never").define();
    public static final ConfigKey<Integer> INGEST_MAX_MESSAGE_ID_LENGTH =
            key("ingest.max_message_id_length", ValueType.INT)
                    .defaultValue(INGEST.maxMessageIdLength()).check(Check.positive())
                    .doc("longer messageIds (UTF-16 units): message_id_too_long").define();

    // ---- transforms -----------------------------------------------------------------------------------------------
    static {
        section("transforms", "steps applied in order to every accepted event (below)");
    }

    public static final ConfigKey<List<TransformStep>> TRANSFORM_STEPS = key("transforms.steps",
            ValueType.structure("list of transform steps", new TypeReference<List<TransformStep>>() { }))
            .defaultValue(List.of()).defaultDoc("none")
            .doc("rename_event, normalize_event_names, drop_events, drop_properties, rename_property,"
                    + " derive_property; see Transforms below").define();
    public static final ConfigKey<List<String>> TRANSFORM_BREAKDOWN_PROPERTIES =
            key("transforms.breakdown_properties", ValueType.STRING_LIST)
                    .defaultValue(List.of()).defaultDoc("none")
                    .doc("properties counts are broken down by, per value").define();

    // ---- aggregates -----------------------------------------------------------------------------------------------
    static {
        section("aggregates", "de-duplication and the keyed stages' memory (docs/exactly-once.md)");
    }

    public static final ConfigKey<Long> DEDUP_WINDOW_MS = key("aggregates.dedup_window_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(Duration.ofDays(8).toMillis()).check(Check.atLeast(1000, "one second"))
            .appliedBy((config, millis) -> config.dedupWindow(Duration.ofMillis(millis)))
            .doc("how long a messageId is remembered; at least ingest.max_lateness_ms + ingest.future_tolerance_ms"
                    + " + aggregates.lag_allowance_ms (a backfill: its span + the allowance), else refused").define();
    public static final ConfigKey<Long> LAG_ALLOWANCE_MS = key("aggregates.lag_allowance_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(Duration.ofHours(23).toMillis()).check(Check.notNegative())
            .appliedBy((config, millis) -> config.lagAllowance(Duration.ofMillis(millis)))
            .doc("the longest a batch may take from its first read to its commit with its duplicates still found")
            .define();
    public static final ConfigKey<Long> KEYED_STATE_MEMORY_MB = key("aggregates.keyed_state_memory_mb", ValueType.LONG)
            .unit(Unit.MEBIBYTES).defaultValue(512L).check(Check.range(1, 1 << 20, "MiB"))
            .appliedBy(TallyConfig.Builder::keyedStateMemoryMb)
            .doc("what one partition of a keyed stage may hold in memory; past it the oldest keys move to"
                    + " keyed_state_spill_by_bucket, costing reads, never exactness").define();
    public static final ConfigKey<Long> USER_STATE_FLUSH_MS = key("aggregates.user_state_flush_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(60_000L).check(Check.range(100, 3_600_000, "ms"))
            .appliedBy((config, millis) -> config.userStateFlush(Duration.ofMillis(millis)))
            .doc("how often the per-user stage writes the segment progress and funnel, retention and session state it"
                    + " changed to their tables; until then each batch's changes are one keyed_value_log row per"
                    + " partition").define();
    public static final ConfigKey<Long> USER_STATE_MEMORY_MB = key("aggregates.user_state_memory_mb", ValueType.LONG)
            .unit(Unit.MEBIBYTES).defaultValue(256L).check(Check.range(1, 1 << 20, "MiB"))
            .appliedBy(TallyConfig.Builder::userStateMemoryMb)
            .doc("what one partition of the per-user stage may hold in memory of segment progress, and of funnel,"
                    + " retention and session state, each; past it the least recently used are read again from their"
                    + " tables when needed, costing reads, never exactness").define();

    // ---- backfill -------------------------------------------------------------------------------------------------
    static {
        section("backfill", "only in a topology of its own that counts old exports (docs/exactly-once.md)");
    }

    public static final ConfigKey<Instant> BACKFILL_FROM = key("backfill.from", ValueType.INSTANT)
            .required("an ISO-8601 date-time such as 2026-01-01T00:00:00Z").defaultDoc("none: a live topology")
            .doc("the first event time counted").define();
    public static final ConfigKey<Instant> BACKFILL_TO = key("backfill.to", ValueType.INSTANT)
            .required("an ISO-8601 date-time such as 2026-01-01T00:00:00Z").defaultDoc("none: a live topology")
            .doc("the end of the event times counted, not included").define();

    // ---- segments, funnels, retention, sessions --------------------------------------------------------------------------
    public static final ConfigKey<List<SegmentDefinition>> SEGMENTS = key("segments",
            ValueType.structure("list of segments", new TypeReference<List<SegmentDefinition>>() { }))
            .defaultValue(List.of()).defaultDoc("none").appliedBy(TallyConfig.Builder::segments)
            .doc("rule-defined audiences kept exactly once (docs/segments.md)").define();
    public static final ConfigKey<List<FunnelDefinition>> FUNNELS = key("funnels",
            ValueType.structure("list of funnels", new TypeReference<List<FunnelDefinition>>() { }))
            .defaultValue(List.of()).defaultDoc("none").appliedBy(TallyConfig.Builder::funnels)
            .doc("ordered steps per user within a window (docs/journeys.md)").define();
    public static final ConfigKey<List<RetentionDefinition>> RETENTION = key("retention",
            ValueType.structure("list of retention definitions", new TypeReference<List<RetentionDefinition>>() { }))
            .defaultValue(List.of()).defaultDoc("none").appliedBy(TallyConfig.Builder::retention)
            .doc("cohorts by the day of a start event, and their returns (docs/journeys.md)").define();

    public static final ConfigKey<SessionDefinition> SESSIONS = key("sessions",
            ValueType.structure("sessions settings", new TypeReference<SessionDefinition>() { }))
            .defaultDoc("none: sessions are not kept").appliedBy(TallyConfig.Builder::sessions)
            .doc("a user's sessions, cut after a gap without events (docs/journeys.md)").define();

    // ---- files ----------------------------------------------------------------------------------------------------
    static {
        section("files", "a directory of JSON-lines files as a source (docs/log-files.md)");
    }

    public static final ConfigKey<String> FILES_DIRECTORY = key("files.directory", ValueType.STRING)
            .required("the directory of the log files")
            .doc("the directory read; on a Storm cluster readable by every worker that may run the spout").define();
    public static final ConfigKey<String> FILES_GLOB = key("files.glob", ValueType.STRING)
            .defaultValue(FILES.glob()).doc("file names read; .gz files are gunzipped").define();
    public static final ConfigKey<Integer> FILES_MAX_BATCH_LINES = key("files.max_batch_lines", ValueType.INT)
            .defaultValue(FILES.maxBatchLines()).check(Check.positive())
            .doc("lines in one batch, all files together").define();
    public static final ConfigKey<Integer> FILES_MAX_BATCH_BYTES = key("files.max_batch_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(FILES.maxBatchBytes()).check(Check.positive())
            .doc("bytes of lines in one batch, all files together").define();
    public static final ConfigKey<Integer> FILES_MAX_LINE_BYTES = key("files.max_line_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(FILES.maxLineBytes()).check(Check.positive())
            .doc("longer lines are cut and rejected as too_large").define();
    public static final ConfigKey<Long> FILES_IDLE_TIMEOUT_MS = key("files.idle_timeout_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(FILES.idleTimeoutMillis()).check(Check.positive())
            .doc("a last line without newline counts after the file is idle this long").define();
    public static final ConfigKey<Long> FILES_SCAN_INTERVAL_MS = key("files.scan_interval_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(FILES.scanIntervalMillis()).check(Check.positive())
            .doc("how often new and renamed files are looked for").define();
    public static final ConfigKey<String> FILES_DONE_DIRECTORY = key("files.done_directory", ValueType.STRING)
            .defaultDoc("none: files stay")
            .doc("completed files are moved here; only for files finished when they go quiet").define();
    public static final ConfigKey<Long> FILES_DONE_AFTER_IDLE_MS = key("files.done_after_idle_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(FILES.doneAfterIdleMillis()).check(Check.positive())
            .doc("complete: read to its end, unchanged this long, its batches committed").define();
    public static final ConfigKey<Integer> FILES_MAX_FILES_PER_BATCH = key("files.max_files_per_batch", ValueType.INT)
            .defaultValue(FILES.maxFilesPerBatch()).check(Check.positive())
            .doc("files one batch looks at (its list is stored in ZooKeeper with the batch)").define();
    public static final ConfigKey<Integer> FILES_MAX_READ_ATTEMPTS = key("files.max_read_attempts", ValueType.INT)
            .defaultValue(FILES.maxReadAttempts()).check(Check.positive())
            .doc("failed reads of a file before it is skipped until it changes").define();
    public static final ConfigKey<Boolean> FILES_FOLLOW_LINKS_OUTSIDE = key("files.follow_links_outside", ValueType.BOOLEAN)
            .defaultValue(FILES.followLinksOutside())
            .doc("whether symbolic links may lead out of the directory").define();

    // ---- objects --------------------------------------------------------------------------------------------------
    static {
        SECTIONS.add(new ConfigSection("objects", "an S3 or S3-compatible bucket as a source (docs/object-store.md);"
                + " also accepted as `s3`", List.of("s3"), null, null));
    }

    public static final ConfigKey<String> OBJECTS_BUCKET = key("objects.bucket", ValueType.STRING)
            .required("the bucket the exports are in")
            .doc("the bucket read; credentials come from the AWS SDK's default chain on each worker, never here")
            .define();
    public static final ConfigKey<List<String>> OBJECTS_PREFIXES = key("objects.prefixes", ValueType.STRING_LIST)
            .defaultValue(OBJECTS.prefixes()).defaultDoc("[\"\"]: the whole bucket")
            .doc("key prefixes, each read in key order as one partition").define();
    public static final ConfigKey<String> OBJECTS_ENDPOINT = key("objects.endpoint", ValueType.STRING)
            .defaultDoc("none: Amazon S3").doc("the S3 API's URL of an S3-compatible store").define();
    public static final ConfigKey<String> OBJECTS_REGION = key("objects.region", ValueType.STRING)
            .defaultDoc("the SDK's region chain, or us-east-1 with an endpoint").doc("the signing region").define();
    public static final ConfigKey<Boolean> OBJECTS_PATH_STYLE = key("objects.path_style", ValueType.BOOLEAN)
            .defaultDoc("true with an endpoint, false without")
            .doc("address the bucket as endpoint/bucket/key").define();
    public static final ConfigKey<String> OBJECTS_START_AFTER = key("objects.start_after", ValueType.STRING)
            .defaultDoc("none").doc("a backfill starts after this key, relative to each prefix").define();
    public static final ConfigKey<String> OBJECTS_END_BEFORE = key("objects.end_before", ValueType.STRING)
            .defaultDoc("none").doc("keys from this one on, relative to each prefix, are never read").define();
    public static final ConfigKey<Integer> OBJECTS_MAX_BATCH_LINES = key("objects.max_batch_lines", ValueType.INT)
            .defaultValue(OBJECTS.maxBatchLines()).check(Check.positive())
            .doc("lines one prefix adds to a batch, across objects").define();
    public static final ConfigKey<Integer> OBJECTS_MAX_BATCH_BYTES = key("objects.max_batch_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(OBJECTS.maxBatchBytes()).check(Check.positive())
            .doc("uncompressed bytes one prefix adds to a batch, across objects").define();
    public static final ConfigKey<Integer> OBJECTS_MAX_BATCH_OBJECTS = key("objects.max_batch_objects", ValueType.INT)
            .defaultValue(OBJECTS.maxBatchObjects()).check(Check.positive())
            .doc("objects one prefix reads from in a batch").define();
    public static final ConfigKey<Integer> OBJECTS_MAX_LINE_BYTES = key("objects.max_line_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(OBJECTS.maxLineBytes()).check(Check.positive())
            .doc("longer lines are cut and rejected as too_large").define();
    public static final ConfigKey<Integer> OBJECTS_RANGE_BYTES = key("objects.range_bytes", ValueType.INT)
            .unit(Unit.BYTES).defaultValue(OBJECTS.rangeBytes()).check(Check.positive())
            .doc("stored bytes one GET asks for (with If-Match on the ETag)").define();
    public static final ConfigKey<Long> OBJECTS_SCAN_INTERVAL_MS = key("objects.scan_interval_ms", ValueType.LONG)
            .unit(Unit.MILLISECONDS).defaultValue(OBJECTS.scanIntervalMillis()).check(Check.positive())
            .doc("how often a prefix read to its end is listed again").define();
    public static final ConfigKey<Integer> OBJECTS_MAX_ATTEMPTS = key("objects.max_attempts", ValueType.INT)
            .defaultValue(OBJECTS.maxAttempts()).check(Check.positive())
            .doc("attempts of one request, with the SDK's backoff, before the batch is retried").define();

    // ---- dashboard ------------------------------------------------------------------------------------------------
    static {
        section("dashboard", "where `tally dashboard` serves its pages (docs/dashboard.md)");
    }

    public static final ConfigKey<String> DASHBOARD_BIND = key("dashboard.bind", ValueType.STRING)
            .defaultValue(DashboardSettings.DEFAULT_BIND)
            .doc("the address it listens on; 0.0.0.0 to serve other hosts (put TLS in front of it)").define();
    /** Its range is checked by {@link DashboardSettings}, whose message operators know. */
    public static final ConfigKey<Integer> DASHBOARD_PORT = key("dashboard.port", ValueType.INT)
            .defaultValue(DashboardSettings.DEFAULT_PORT).doc("the port it listens on (0-65535)").define();

    static {
        section("dashboard.basic_auth", "credentials every request must carry: both or neither");
    }

    public static final ConfigKey<String> DASHBOARD_USER = key("dashboard.basic_auth.user", ValueType.STRING)
            .defaultDoc("none: no basic auth").doc("the user name").define();
    public static final ConfigKey<String> DASHBOARD_PASSWORD = key("dashboard.basic_auth.password", ValueType.STRING)
            .secret().defaultDoc("none").doc("the password; use ${NAME}").define();

    // ---- collector ------------------------------------------------------------------------------------------------
    static {
        SECTIONS.add(new ConfigSection("collector", "the HTTP collector's settings (docs/collector.md)", List.of(), null, "tally-collector"));
    }

    // ---- the schema as a whole ------------------------------------------------------------------------------------

    /** Every key, in the reference's order. */
    public static List<ConfigKey<?>> keys() {
        return Collections.unmodifiableList(KEYS);
    }

    /** Every section, in the reference's order. */
    public static List<ConfigSection> sections() {
        return Collections.unmodifiableList(SECTIONS);
    }

    public static Optional<ConfigKey<?>> key(String path) {
        return KEYS.stream().filter(k -> k.path().equals(path)).findFirst();
    }

    public static Optional<ConfigSection> section(String path) {
        return SECTIONS.stream().filter(s -> s.path().equals(path)).findFirst();
    }

    /**
     * Reads a configuration tree (its {@code ${NAME}} references already replaced): every value is read, normalized
     * and checked as its key says, unknown keys are refused, and required keys of the given sections are looked for.
     */
    static ConfigValues bind(JsonNode root) {
        ConfigValues values = new ConfigValues();
        bindSection(root, "", values);
        for (ConfigKey<?> key : KEYS) {
            boolean sectionGiven = key.section().isEmpty() || values.has(key.section());
            if (sectionGiven && key.required() && key.isEmpty(values.bound(key).orElse(null))) {
                throw key.missing();
            }
            if (key.requires() != null && values.bound(key).isPresent() && values.bound(key.requires()).isEmpty()) {
                throw key.problem("needs " + key.requires().path());
            }
        }
        return values;
    }

    private static void bindSection(JsonNode node, String prefix, ConfigValues values) {
        Map<String, String> givenAs = new LinkedHashMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            String given = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
            JsonNode value = field.getValue();
            Optional<ConfigKey<?>> key = key(given);
            Optional<ConfigSection> section = sectionNamed(given);
            if (key.isPresent()) {
                if (!value.isNull()) {
                    put(values, key.get(), value);
                }
            } else if (section.isPresent()) {
                String canonical = section.get().path();
                String earlier = givenAs.putIfAbsent(canonical, given);
                if (earlier != null) {
                    // Only the object store has another name; the message says which name was the alias.
                    String alias = earlier.equals(canonical) ? given : earlier;
                    throw ConfigException.at(alias, "is another name of the " + canonical + " section: give the"
                            + " object store once");
                }
                bindSectionValue(section.get(), value, values);
            } else {
                throw unknownKey(given, prefix);
            }
        }
    }

    private static void bindSectionValue(ConfigSection section, JsonNode value, ConfigValues values) {
        if (value.isNull() || section.readElsewhere() != null) {
            return;
        }
        ConfigKey<Boolean> flag = section.flag() == null ? null : flagKey(section);
        if (value.isObject()) {
            values.addSection(section.path());
            bindSection(value, section.path(), values);
            if (flag != null && values.bound(flag).isEmpty()) {
                values.put(flag, true);
            }
        } else if (flag != null && value.isValueNode()
                && (value.isBoolean() || value.asText().equals("true") || value.asText().equals("false"))) {
            values.addSection(section.path());
            values.put(flag, Boolean.parseBoolean(value.asText()));
        } else if (flag != null) {
            throw ConfigException.at(section.path(), "must be true, false or a mapping of " + keyNames(section.path()));
        } else {
            throw ConfigException.at(section.path(), "expected a mapping of keys to values");
        }
    }

    @SuppressWarnings("unchecked")
    private static ConfigKey<Boolean> flagKey(ConfigSection section) {
        return (ConfigKey<Boolean>) key(section.path() + "." + section.flag()).orElseThrow();
    }

    private static <T> void put(ConfigValues values, ConfigKey<T> key, JsonNode node) {
        values.put(key, key.read(node));
    }

    /** The section with this path, or of which this is an alias (at the top of the file). */
    private static Optional<ConfigSection> sectionNamed(String path) {
        return SECTIONS.stream().filter(s -> s.path().equals(path) || s.parent().isEmpty() && s.aliases().contains(path))
                .findFirst();
    }

    private static ConfigException unknownKey(String given, String prefix) {
        List<String> known = siblings(prefix);
        Optional<ConfigSection> parent = section(prefix);
        if (parent.isPresent() && parent.get().flag() != null) {
            return ConfigException.at(given, "is not a setting; the settings are " + new TreeSet<>(known));
        }
        String name = given.substring(given.lastIndexOf('.') + 1);
        String nearest = known.stream()
                .filter(k -> k.startsWith(name) || name.startsWith(k) || distance(k, name) <= Math.max(2, name.length() / 3))
                .min(Comparator.comparingInt(k -> distance(k, name))).orElse(null);
        String at = prefix.isEmpty() ? "the top of the file" : prefix;
        return ConfigException.at(given, "unknown key"
                + (nearest == null ? "" : " (did you mean " + (prefix.isEmpty() ? "" : prefix + ".") + nearest + "?)")
                + "; the keys of " + at + " are " + String.join(", ", new TreeSet<>(known)));
    }

    /** Names of the keys and sections directly in {@code prefix}. */
    private static List<String> siblings(String prefix) {
        return Stream.concat(
                KEYS.stream().filter(k -> k.section().equals(prefix)).map(ConfigKey::name),
                SECTIONS.stream().filter(s -> s.parent().equals(prefix))
                        .flatMap(s -> Stream.concat(Stream.of(s.name()), s.aliases().stream())))
                .collect(Collectors.toList());
    }

    private static TreeSet<String> keyNames(String section) {
        return new TreeSet<>(siblings(section));
    }

    /** Levenshtein distance: how many single-character edits turn one name into the other. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static <T> ConfigKey.Builder<T> key(String path, ValueType<T> type) {
        return ConfigKey.builder(path, type, KEYS::add);
    }

    private static void section(String path, String doc) {
        SECTIONS.add(new ConfigSection(path, doc, List.of(), null, null));
    }

    private static Check<String> nonEmpty() {
        return new Check<>("non-empty", s -> !s.isBlank(), shown -> "must not be empty");
    }

    /** In this order, as operators write it and as settings are printed. */
    private static Map<String, String> oneNodeReplication() {
        Map<String, String> replication = new LinkedHashMap<>();
        replication.put("class", "SimpleStrategy");
        replication.put("replication_factor", "1");
        return Collections.unmodifiableMap(replication);
    }

    private static String upperCase(String text) {
        return text.trim().toUpperCase(Locale.ROOT);
    }
}
