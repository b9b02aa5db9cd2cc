package io.tally.topology.config;

import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.journey.CompiledFunnels;
import io.tally.bolts.journey.FunnelDefinition;
import io.tally.bolts.journey.CompiledRetention;
import io.tally.bolts.journey.RetentionDefinition;
import io.tally.bolts.journey.CompiledSessions;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.bolts.segment.CompiledSegments;
import io.tally.bolts.segment.SegmentDefinition;
import io.tally.bolts.transform.CompiledTransforms;
import io.tally.bolts.transform.TransformConfig;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.state.cassandra.CassandraSettings;
import java.io.Serializable;
import io.tally.bolts.ingest.BackfillSpan;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one Tally topology needs, validated. Built from {@code tally.yaml} by {@link TallyConfigLoader}
 * or in code with {@link #builder()}; the topology is a plain function of it
 * ({@link io.tally.topology.TallyTopology#build(TallyConfig)}).
 */
public final class TallyConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Default de-duplication window: 8 days, the default lateness (7 days) plus the future tolerance (1 hour) plus the
     * default lag allowance (23 hours); see {@link Builder#build()}.
     */
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofMillis(TallyConfigSchema.DEDUP_WINDOW_MS.defaultValue());
    /**
     * Default lag allowance: 23 hours. A batch's claims are made when it commits, its records are held to the time it
     * was first read: a batch that takes longer than this from its first read to its commit (replayed through a long
     * Cassandra outage) could see a claim expire that the window was sized to keep.
     */
    public static final Duration DEFAULT_LAG_ALLOWANCE = Duration.ofMillis(TallyConfigSchema.LAG_ALLOWANCE_MS.defaultValue());

    /** Per partition of each keyed stage; see {@link #keyedStateMemoryBytes()}. */
    public static final long DEFAULT_KEYED_STATE_MEMORY_MB = TallyConfigSchema.KEYED_STATE_MEMORY_MB.defaultValue();

    /** The default, and the only valid form, of a topology name. */
    public static final String DEFAULT_NAME = TallyConfigSchema.TOPOLOGY_NAME.defaultValue();

    private final String name;
    private final BatchSettings batch;
    private final KafkaSpoutSettings kafka;
    private final FileSpoutSettings files;
    private final ObjectStoreSettings objects;
    private final CassandraSettings cassandra;
    private final Map<String, String> replication;
    private final IngestSettings ingest;
    private final TransformConfig transforms;
    private final Duration dedupWindow;
    private final long keyedStateMemoryBytes;
    private final Duration userStateFlush;
    private final long userStateMemoryBytes;
    private final Duration lagAllowance;
    private final BackfillSpan backfill;
    private final List<SegmentDefinition> segments;
    private final List<FunnelDefinition> funnels;
    private final List<RetentionDefinition> retention;
    private final SessionDefinition sessions;
    private final PrometheusEndpoint prometheus;
    /** Not sent to Storm's workers with the rest: they serve no pages, and its password need not travel. */
    private final transient DashboardSettings dashboard;

    private TallyConfig(Builder b) {
        this.name = b.name;
        this.batch = b.batch;
        this.kafka = b.kafka;
        this.files = b.files;
        this.objects = b.objects;
        this.cassandra = b.cassandra;
        this.replication = Map.copyOf(b.replication);
        this.ingest = b.ingest;
        this.transforms = b.transforms;
        this.dedupWindow = b.dedupWindow;
        this.keyedStateMemoryBytes = b.keyedStateMemoryBytes;
        this.userStateFlush = b.userStateFlush;
        this.userStateMemoryBytes = b.userStateMemoryBytes;
        this.lagAllowance = b.lagAllowance;
        this.backfill = b.backfill;
        this.segments = b.segments;
        this.funnels = b.funnels;
        this.retention = b.retention;
        this.sessions = b.sessions;
        this.prometheus = b.prometheus;
        this.dashboard = b.dashboard;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().name(name).batch(batch).kafka(kafka).files(files).objects(objects).cassandra(cassandra).replication(replication)
                .ingest(ingest).transforms(transforms).dedupWindow(dedupWindow).lagAllowance(lagAllowance)
                .backfill(backfill).keyedStateMemoryMb(keyedStateMemoryBytes >> 20).userStateFlush(userStateFlush)
                .userStateMemoryMb(userStateMemoryBytes >> 20).segments(segments)
                .funnels(funnels).retention(retention).prometheus(prometheus).dashboard(dashboard)
                .sessions(sessions);
    }

    /** The topology's name on the cluster. */
    public String name() {
        return name;
    }

    public BatchSettings batch() {
        return batch;
    }

    /** Empty when the topology reads no Kafka topic. */
    public Optional<KafkaSpoutSettings> kafka() {
        return Optional.ofNullable(kafka);
    }

    /** Empty when the topology reads no log files. */
    public Optional<FileSpoutSettings> files() {
        return Optional.ofNullable(files);
    }

    /** Empty when the topology reads no object store. */
    public Optional<ObjectStoreSettings> objects() {
        return Optional.ofNullable(objects);
    }

    public CassandraSettings cassandra() {
        return cassandra;
    }

    /** Replication of the keyspace when Tally creates it, e.g. {@code {class: SimpleStrategy, replication_factor: 1}}. */
    public Map<String, String> replication() {
        return replication;
    }

    /** Limits and tolerances of parsing and validation. */
    public IngestSettings ingest() {
        return ingest;
    }

    /** The transform steps applied to every accepted event, and the breakdown allowlist. */
    public TransformConfig transforms() {
        return transforms;
    }

    /** How long a {@code messageId} is remembered: a record with a known one within this window is not counted. */
    public Duration dedupWindow() {
        return dedupWindow;
    }

    /**
     * What the keys of one partition of a keyed stage (messageIds, users' days) may weigh in the worker's memory
     * before the oldest move to Cassandra ({@code aggregates.keyed_state_memory_mb}).
     */
    public long keyedStateMemoryBytes() {
        return keyedStateMemoryBytes;
    }

    /**
     * How often the per-user stage writes the per-user state it changed to its tables
     * ({@code aggregates.user_state_flush_ms}).
     */
    public Duration userStateFlush() {
        return userStateFlush;
    }

    /**
     * What one partition of the per-user stage may hold in memory of segment progress, and of funnel, retention and
     * session state, each ({@code aggregates.user_state_memory_mb}).
     */
    public long userStateMemoryBytes() {
        return userStateMemoryBytes;
    }

    /** How long a batch may take from its first read to its commit with its duplicates still found. */
    public Duration lagAllowance() {
        return lagAllowance;
    }

    /** The event times this topology counts when it is a backfill of old exports; empty for a live topology. */
    public Optional<BackfillSpan> backfill() {
        return Optional.ofNullable(backfill);
    }

    /** The segments whose membership the topology keeps; see {@link CompiledSegments} for the rules. */
    public List<SegmentDefinition> segments() {
        return segments;
    }

    /** The funnels the topology keeps (docs/journeys.md). */
    public List<FunnelDefinition> funnels() {
        return funnels;
    }

    /** The sessions section, empty when sessions are not kept (docs/journeys.md). */
    public Optional<SessionDefinition> sessions() {
        return Optional.ofNullable(sessions);
    }

    /** The retention definitions the topology keeps (docs/journeys.md). */
    public List<RetentionDefinition> retention() {
        return retention;
    }

    /** Where the topology serves its metrics for Prometheus ({@code topology.prometheus_port}); empty: nowhere. */
    public Optional<PrometheusEndpoint> prometheus() {
        return Optional.ofNullable(prometheus);
    }

    /**
     * Where {@code tally dashboard} listens ({@code dashboard:}), with the breakdown properties it may be asked
     * about; the defaults (127.0.0.1:8089, no basic auth) without the section.
     */
    public DashboardSettings dashboard() {
        return (dashboard == null ? DashboardSettings.defaults() : dashboard)
                .withBreakdownProperties(transforms.breakdownProperties());
    }

    /** Settings as an operator would check them; secrets masked. */
    @Override
    public String toString() {
        return "TallyConfig{name=" + name + ", batch=" + batch + ", kafka=" + kafka + ", files=" + files + ", objects=" + objects + ", cassandra=" + cassandra
                + ", replication=" + replication + ", ingest=" + ingest + ", transforms=" + transforms + ", dedupWindow=" + dedupWindow + ", lagAllowance=" + lagAllowance + ", backfill=" + backfill
                + ", keyedStateMemoryMb=" + (keyedStateMemoryBytes >> 20)
                + ", userStateFlushMs=" + userStateFlush.toMillis()
                + ", userStateMemoryMb=" + (userStateMemoryBytes >> 20)
                + ", segments=" + segments.stream().map(SegmentDefinition::name).toList()
                + (prometheus == null ? "" : ", prometheus=" + prometheus) + "}";
    }

    public static final class Builder {
        private String name = DEFAULT_NAME;
        private BatchSettings batch = BatchSettings.builder().build();
        private KafkaSpoutSettings kafka;
        private FileSpoutSettings files;
        private ObjectStoreSettings objects;
        private CassandraSettings cassandra = CassandraSettings.builder().build();
        private Map<String, String> replication = defaultReplication();
        private IngestSettings ingest = IngestSettings.DEFAULTS;
        private TransformConfig transforms = TransformConfig.NONE;
        private Duration dedupWindow = DEFAULT_DEDUP_WINDOW;
        private long keyedStateMemoryBytes = DEFAULT_KEYED_STATE_MEMORY_MB << 20;
        private Duration userStateFlush = Duration.ofMillis(TallyConfigSchema.USER_STATE_FLUSH_MS.defaultValue());
        private long userStateMemoryBytes = TallyConfigSchema.USER_STATE_MEMORY_MB.defaultValue() << 20;
        private Duration lagAllowance = DEFAULT_LAG_ALLOWANCE;
        private BackfillSpan backfill;
        private List<SegmentDefinition> segments = List.of();
        private List<FunnelDefinition> funnels = List.of();
        private List<RetentionDefinition> retention = List.of();
        private SessionDefinition sessions;
        private PrometheusEndpoint prometheus;
        private DashboardSettings dashboard;

        private Builder() {
        }

        /** Default: 127.0.0.1:8089, no basic auth. */
        public Builder dashboard(DashboardSettings settings) {
            this.dashboard = settings;
            return this;
        }

        /** Default: none (no endpoint). */
        public Builder prometheus(PrometheusEndpoint endpoint) {
            this.prometheus = endpoint;
            return this;
        }

        /** Default and rules: {@link TallyConfigSchema#TOPOLOGY_NAME}. */
        public Builder name(String name) {
            if (name == null) {
                throw TallyConfigSchema.TOPOLOGY_NAME.problem("must not be empty");
            }
            this.name = TallyConfigSchema.TOPOLOGY_NAME.validate(name);
            return this;
        }

        public Builder batch(BatchSettings batch) {
            this.batch = Objects.requireNonNull(batch, "batch");
            return this;
        }

        public Builder kafka(KafkaSpoutSettings kafka) {
            this.kafka = kafka;
            return this;
        }

        public Builder files(FileSpoutSettings files) {
            this.files = files;
            return this;
        }

        public Builder objects(ObjectStoreSettings objects) {
            this.objects = objects;
            return this;
        }

        public Builder cassandra(CassandraSettings cassandra) {
            this.cassandra = Objects.requireNonNull(cassandra, "cassandra");
            return this;
        }

        /** Default and rules: {@link TallyConfigSchema#CASSANDRA_REPLICATION}. */
        public Builder replication(Map<String, String> replication) {
            if (replication == null) {
                throw TallyConfigSchema.CASSANDRA_REPLICATION.problem("needs a 'class', e.g. NetworkTopologyStrategy");
            }
            this.replication = new LinkedHashMap<>(TallyConfigSchema.CASSANDRA_REPLICATION.validate(replication));
            return this;
        }

        /** Default {@link IngestSettings#DEFAULTS}. */
        public Builder ingest(IngestSettings ingest) {
            this.ingest = Objects.requireNonNull(ingest, "ingest");
            return this;
        }

        /** Default: no steps, no breakdown properties. Checked here, so a bad one is refused before submitting. */
        public Builder transforms(TransformConfig transforms) {
            CompiledTransforms.compile(Objects.requireNonNull(transforms, "transforms"));
            this.transforms = transforms;
            return this;
        }

        /** Default {@link #DEFAULT_DEDUP_WINDOW}; see {@link #build()} for how long it must be. */
        public Builder dedupWindow(Duration window) {
            if (window == null) {
                throw TallyConfigSchema.DEDUP_WINDOW_MS.problem("must be given");
            }
            TallyConfigSchema.DEDUP_WINDOW_MS.validate(window.toMillis());
            this.dedupWindow = window;
            return this;
        }

        /** Default and range: {@link TallyConfigSchema#KEYED_STATE_MEMORY_MB}. */
        public Builder keyedStateMemoryMb(long mebibytes) {
            TallyConfigSchema.KEYED_STATE_MEMORY_MB.validate(mebibytes);
            this.keyedStateMemoryBytes = mebibytes << 20;
            return this;
        }

        /** Default and range: {@link TallyConfigSchema#USER_STATE_MEMORY_MB}. */
        public Builder userStateMemoryMb(long mebibytes) {
            TallyConfigSchema.USER_STATE_MEMORY_MB.validate(mebibytes);
            this.userStateMemoryBytes = mebibytes << 20;
            return this;
        }

        /** Default and range: {@link TallyConfigSchema#USER_STATE_FLUSH_MS}. */
        public Builder userStateFlush(Duration interval) {
            TallyConfigSchema.USER_STATE_FLUSH_MS.validate(interval.toMillis());
            this.userStateFlush = interval;
            return this;
        }

        /** Default {@link #DEFAULT_LAG_ALLOWANCE}; see {@link #build()}. */
        public Builder lagAllowance(Duration allowance) {
            if (allowance == null) {
                throw TallyConfigSchema.LAG_ALLOWANCE_MS.problem("must be given");
            }
            TallyConfigSchema.LAG_ALLOWANCE_MS.validate(allowance.toMillis());
            this.lagAllowance = allowance;
            return this;
        }

        /**
         * Default: none, a live topology. A backfill counts old exports (whose event and receipt times are
         * legitimately old) under a topology name and de-duplication state of its own; see {@link BackfillSpan}.
         */
        public Builder backfill(BackfillSpan backfill) {
            this.backfill = backfill;
            return this;
        }

        /**
         * Default: none. Checked and compiled here, so a bad rule is refused before submitting. Segments are identified
         * by name: a changed rule applies to the events counted from then on, members stay members.
         */
        /** Default: none. Checked and compiled here, so a bad step is refused before submitting. */
        public Builder funnels(List<FunnelDefinition> funnels) {
            CompiledFunnels.compile(Objects.requireNonNull(funnels, "funnels"));
            this.funnels = List.copyOf(funnels);
            return this;
        }

        /**
         * Default: none. Checked and compiled here. Funnels and retention share the per-user state, so their names
         * must differ (checked when the configuration is built).
         */
        public Builder retention(List<RetentionDefinition> retention) {
            CompiledRetention.compile(Objects.requireNonNull(retention, "retention"));
            this.retention = List.copyOf(retention);
            return this;
        }

        /** Default: none (sessions are not kept). Checked and compiled here. */
        public Builder sessions(SessionDefinition sessions) {
            if (sessions != null) {
                CompiledSessions.compile(sessions);
            }
            this.sessions = sessions;
            return this;
        }

        public Builder segments(List<SegmentDefinition> segments) {
            CompiledSegments.compile(Objects.requireNonNull(segments, "segments"));
            this.segments = List.copyOf(segments);
            return this;
        }

        public TallyConfig build() {
            if (kafka == null && files == null && objects == null) {
                throw ConfigException.at("kafka", "or files or objects is required: Tally needs a source of events");
            }
            checkWindowCoversDuplicates();
            for (int i = 0; i < retention.size(); i++) {
                String name = retention.get(i).name();
                if (funnels.stream().anyMatch(funnel -> funnel.name().equals(name))) {
                    throw ConfigException.at("retention[" + i + "].name", "'" + name + "' is also a funnel's name;"
                            + " funnels and retention keep their users' state in one table, by name");
                }
            }
            return new TallyConfig(this);
        }

        /**
         * A live topology accepts an event only within {@code max_lateness} before and {@code future_tolerance} after
         * the time Tally first read it, so two accepted copies of one event are read at most lateness + tolerance
         * apart; the first copy's claim is made when its batch commits, up to the lag allowance after that read. A
         * window of lateness + tolerance + allowance therefore still holds the claim when any accepted copy comes. A
         * backfill accepts the event times of its span instead: its window must cover the span, plus the allowance.
         */
        private void checkWindowCoversDuplicates() {
            long window = dedupWindow.toMillis();
            long allowance = lagAllowance.toMillis();
            if (backfill == null) {
                long needed = ingest.maxLatenessMillis() + ingest.futureToleranceMillis() + allowance;
                if (window < needed) {
                    throw ConfigException.at("aggregates.dedup_window_ms", "(" + window + ") must be at least"
                            + " ingest.max_lateness_ms (" + ingest.maxLatenessMillis() + ") + ingest.future_tolerance_ms ("
                            + ingest.futureToleranceMillis() + ") + aggregates.lag_allowance_ms (" + allowance + ") = "
                            + needed + ": a copy of an event accepted after its messageId is forgotten would be counted"
                            + " twice. Lengthen the window or shorten the lateness");
                }
                return;
            }
            long needed = backfill.length().toMillis() + allowance;
            if (window < needed) {
                throw ConfigException.at("aggregates.dedup_window_ms", "(" + window + ") must cover the backfill's span"
                        + " (" + backfill.from() + " to " + backfill.to() + ", " + backfill.length().toMillis()
                        + " ms) + aggregates.lag_allowance_ms (" + allowance + ") = " + needed + ": copies of one"
                        + " event in exports further apart would be counted twice. Lengthen the window or split the"
                        + " backfill into shorter spans");
            }
        }

        private static Map<String, String> defaultReplication() {
            return new LinkedHashMap<>(TallyConfigSchema.CASSANDRA_REPLICATION.defaultValue());
        }
    }
}
