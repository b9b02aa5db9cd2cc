package io.tally.topology.config;

import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.journey.CompiledFunnels;
import io.tally.bolts.journey.FunnelDefinition;
import io.tally.bolts.journey.CompiledRetention;
import io.tally.bolts.journey.RetentionDefinition;
import io.tally.bolts.segment.CompiledSegments;
import io.tally.bolts.segment.SegmentDefinition;
import io.tally.bolts.transform.CompiledTransforms;
import io.tally.bolts.transform.TransformConfig;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.state.cassandra.CassandraSettings;
import java.io.Serializable;
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

    /** Default de-duplication window: 7 days, which covers producers' retries and replays of recent exports. */
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofDays(7);

    /** The default, and the only valid form, of a topology name. */
    public static final String DEFAULT_NAME = "tally";

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
    private final List<SegmentDefinition> segments;
    private final List<FunnelDefinition> funnels;
    private final List<RetentionDefinition> retention;
    private final PrometheusEndpoint prometheus;

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
        this.segments = b.segments;
        this.funnels = b.funnels;
        this.retention = b.retention;
        this.prometheus = b.prometheus;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().name(name).batch(batch).kafka(kafka).files(files).objects(objects).cassandra(cassandra).replication(replication)
                .ingest(ingest).transforms(transforms).dedupWindow(dedupWindow).segments(segments).funnels(funnels).retention(retention)
                .prometheus(prometheus);
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

    /** The segments whose membership the topology keeps; see {@link CompiledSegments} for the rules. */
    public List<SegmentDefinition> segments() {
        return segments;
    }

    /** The funnels the topology keeps (docs/journeys.md). */
    public List<FunnelDefinition> funnels() {
        return funnels;
    }

    /** The retention definitions the topology keeps (docs/journeys.md). */
    public List<RetentionDefinition> retention() {
        return retention;
    }

    /** Where the topology serves its metrics for Prometheus ({@code topology.prometheus_port}); empty: nowhere. */
    public Optional<PrometheusEndpoint> prometheus() {
        return Optional.ofNullable(prometheus);
    }

    /** Settings as an operator would check them; secrets masked. */
    @Override
    public String toString() {
        return "TallyConfig{name=" + name + ", batch=" + batch + ", kafka=" + kafka + ", files=" + files + ", objects=" + objects + ", cassandra=" + cassandra
                + ", replication=" + replication + ", ingest=" + ingest + ", transforms=" + transforms + ", dedupWindow=" + dedupWindow
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
        private List<SegmentDefinition> segments = List.of();
        private List<FunnelDefinition> funnels = List.of();
        private List<RetentionDefinition> retention = List.of();
        private PrometheusEndpoint prometheus;

        private Builder() {
        }

        /** Default: none (no endpoint). */
        public Builder prometheus(PrometheusEndpoint endpoint) {
            this.prometheus = endpoint;
            return this;
        }

        /** Default {@code tally}. Letters, digits, {@code -} and {@code _} only. */
        public Builder name(String name) {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_-]*")) {
                throw ConfigException.at("topology.name",
                        "must be letters, digits, '-' or '_' (starting with a letter or digit), was '" + name + "'");
            }
            this.name = name;
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

        /** Default {@code {class: SimpleStrategy, replication_factor: 1}}, for one node; use NetworkTopologyStrategy in production. */
        public Builder replication(Map<String, String> replication) {
            if (replication == null || !replication.containsKey("class")) {
                throw ConfigException.at("cassandra.replication", "needs a 'class', e.g. NetworkTopologyStrategy");
            }
            this.replication = new LinkedHashMap<>(replication);
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

        /**
         * Default {@link #DEFAULT_DEDUP_WINDOW}. Must be at least {@code ingest.max_lateness_ms}: a retry that is not
         * too late must still find its {@code messageId}.
         */
        public Builder dedupWindow(Duration window) {
            if (window == null || window.toSeconds() < 1) {
                throw ConfigException.at("aggregates.dedup_window_ms", "must be at least 1000 (one second), was "
                        + (window == null ? null : window.toMillis()));
            }
            this.dedupWindow = window;
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

        public Builder segments(List<SegmentDefinition> segments) {
            CompiledSegments.compile(Objects.requireNonNull(segments, "segments"));
            this.segments = List.copyOf(segments);
            return this;
        }

        public TallyConfig build() {
            if (kafka == null && files == null && objects == null) {
                throw ConfigException.at("kafka", "or files or objects is required: Tally needs a source of events");
            }
            if (ingest.maxLatenessMillis() > dedupWindow.toMillis()) {
                throw ConfigException.at("ingest.max_lateness_ms", "(" + ingest.maxLatenessMillis()
                        + ") must not exceed aggregates.dedup_window_ms (" + dedupWindow.toMillis() + "): a duplicate"
                        + " accepted after its messageId is forgotten would be counted twice");
            }
            for (int i = 0; i < retention.size(); i++) {
                String name = retention.get(i).name();
                if (funnels.stream().anyMatch(funnel -> funnel.name().equals(name))) {
                    throw ConfigException.at("retention[" + i + "].name", "'" + name + "' is also a funnel's name;"
                            + " funnels and retention keep their users' state in one table, by name");
                }
            }
            return new TallyConfig(this);
        }

        private static Map<String, String> defaultReplication() {
            Map<String, String> replication = new LinkedHashMap<>();
            replication.put("class", "SimpleStrategy");
            replication.put("replication_factor", "1");
            return replication;
        }
    }
}
