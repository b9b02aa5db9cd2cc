package io.tally.topology;

import io.tally.bolts.TallySerialization;
import io.tally.bolts.journey.FunnelDefinition;
import io.tally.bolts.journey.RetentionDefinition;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.bolts.segment.SegmentDefinition;
import io.tally.bolts.trident.IngestRecords;
import io.tally.bolts.trident.IsPresent;
import io.tally.spouts.MeteredSpout;
import io.tally.spouts.RawRecordFields;
import io.tally.spouts.RecordChunk;
import io.tally.spouts.kafka.KafkaEventSpouts;
import io.tally.spouts.file.LogFileSpout;
import io.tally.spouts.objectstore.ObjectStoreSpout;
import io.tally.state.cassandra.CassandraMapStateFactory;
import io.tally.state.cassandra.CassandraRowStateFactory;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowTable;
import io.tally.state.keyed.FirstSeenStateFactory;
import io.tally.state.keyed.KeyRoute;
import io.tally.state.keyed.KeyRouting;
import io.tally.state.progress.ProgressGuard;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.BatchKeyCounts;
import io.tally.topology.aggregate.EventBuckets;
import io.tally.topology.aggregate.LongSum;
import io.tally.topology.aggregate.NameAndBucket;
import io.tally.topology.aggregate.RejectionHour;
import io.tally.topology.aggregate.UtcBucket;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.keyed.Deduplicate;
import io.tally.topology.keyed.CountTablesState;
import io.tally.topology.keyed.EventRun;
import io.tally.topology.keyed.PartitionTarget;
import io.tally.topology.keyed.PerUserPass;
import io.tally.topology.keyed.RouteEvents;
import io.tally.topology.keyed.SpreadList;
import io.tally.topology.keyed.SumChanges;
import io.tally.topology.keyed.ToPartition;
import io.tally.topology.keyed.UserPassState;
import io.tally.topology.metrics.PrometheusMetricsConsumer;
import io.tally.topology.rejects.RejectionColumns;
import io.tally.topology.segment.MembershipColumns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.storm.Config;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.trident.Stream;
import org.apache.storm.trident.TridentTopology;
import org.apache.storm.trident.fluent.GroupedStream;
import org.apache.storm.trident.operation.CombinerAggregator;
import org.apache.storm.trident.operation.builtin.Negate;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.tuple.Fields;

/**
 * Tally's topology as a plain function of its configuration, so that tests, the local runner and
 * {@code storm jar} all run the same wiring.
 *
 * <p>The stream ids below, under the topology's {@linkplain #transactionalRoot root}, name where Trident keeps each
 * spout's transaction ids and batch offsets in ZooKeeper. Neither may change between deployments of the same data:
 * a new id starts again from txid 1 and from the first offset, and the counts in Cassandra would count again.
 */
public final class TallyTopology {
    /** Trident stream id of the Kafka spout. Never change it on a running installation. */
    public static final String KAFKA_STREAM_ID = "tally-kafka";
    /** Trident stream id of the log-file spout. Never change it on a running installation. */
    public static final String FILES_STREAM_ID = "tally-files";
    /** Trident stream id of the object-store spout. Never change it on a running installation. */
    public static final String OBJECTS_STREAM_ID = "tally-objects";
    /** Storm metric: records dropped because an earlier record had their {@code messageId}. */
    public static final String DUPLICATES_DROPPED_METRIC = Deduplicate.DUPLICATES_DROPPED_METRIC;

    private TallyTopology() {
    }

    /**
     * Which streams to build: the full pipeline; only the hourly event counts (no rejected-record storage), which the
     * benchmark measures against the raw Kafka read rate; or only de-duplication and segments, which backfills
     * segments from retained data under another topology name without counting anything else again; or only
     * de-duplication and the configured funnels, retention definitions and sessions, which backfills a new one the
     * same way.
     */
    public enum Scope { FULL, COUNTS_ONLY, SEGMENTS_ONLY, JOURNEYS_ONLY }

    public static StormTopology build(TallyConfig config) {
        return build(config, Scope.FULL, StateWrapper.NONE);
    }

    public static StormTopology build(TallyConfig config, Scope scope) {
        return build(config, scope, StateWrapper.NONE);
    }

    /**
     * @param states wraps every state factory by its table name; {@link StateWrapper#NONE} in production, a fault
     *     injector in the tests that force replays
     */
    public static StormTopology build(TallyConfig config, Scope scope, StateWrapper states) {
        if (scope == Scope.SEGMENTS_ONLY && config.segments().isEmpty()) {
            throw new IllegalArgumentException("a segments-only topology needs at least one segment");
        }
        if (scope == Scope.JOURNEYS_ONLY && config.funnels().isEmpty() && config.retention().isEmpty()
                && config.sessions().isEmpty()) {
            throw new IllegalArgumentException("a journeys-only topology needs at least one funnel, retention definition"
                    + " or the sessions section");
        }
        BatchSettings batch = config.batch();
        TridentTopology topology = new TridentTopology();
        // Every state whose rows hold txids checks, before its first batch, that Trident's ZooKeeper state has not
        // lost this topology's progress, and records each batch it begins (see ProgressGuard).
        ProgressGuard progressGuard = new ProgressGuard(config.cassandra(), config.name(),
                scope.name().toLowerCase(java.util.Locale.ROOT), streamIds(config));
        StateWrapper guarded = (table, factory) -> states.wrap(table, progressGuard.guard(table, factory));
        List<Stream> sources = new ArrayList<>();
        config.kafka().ifPresent(kafka -> sources.add(
                topology.newStream(KAFKA_STREAM_ID, new MeteredSpout("kafka", KafkaEventSpouts.exactReplay(kafka)))
                        .parallelismHint(batch.spoutParallelism())));
        config.files().ifPresent(files -> sources.add(
                topology.newStream(FILES_STREAM_ID, new MeteredSpout("files", new LogFileSpout(files)))
                        .parallelismHint(batch.spoutParallelism())));
        config.objects().ifPresent(objects -> sources.add(
                topology.newStream(OBJECTS_STREAM_ID, new MeteredSpout("objects", new ObjectStoreSpout(objects)))
                        .parallelismHint(Math.min(batch.spoutParallelism(), objects.prefixes().size()))));
        // Every source emits chunks of the same raw records and feeds one ingest path.
        Stream chunks = sources.size() == 1 ? sources.get(0) : topology.merge(RecordChunk.FIELDS, sources);
        Stream ingested = chunks.name("ingest").flatMap(new IngestRecords(config.ingest(),
                        config.backfill().orElse(null), config.transforms()),
                IngestRecords.OUTPUT_FIELDS);
        Fields event = new Fields(IngestRecords.EVENT);
        Stream accepted = ingested.filter(event, new IsPresent());

        if (scope == Scope.COUNTS_ONLY) {
            countBy(accepted, IngestRecords.EVENT, EventBuckets.counts(UtcBucket.HOUR), EventBuckets.OUTPUT_FIELDS,
                    TallyTables.EVENT_COUNTS_BY_HOUR, config, guarded);
            return topology.build();
        }

        int parallelism = batch.parallelism();
        // Drawn anew for each build: every worker of one submission routes alike, and a restore recomputes the route
        // of every key it reads back (see KeyRouting).
        KeyRouting routing = KeyRouting.random();
        // The keyed stages: each event is routed once by messageId (duplicates meet in one partition) and once by
        // user (a user's events meet in one partition), a run of events per partition and batch, not a tuple each.
        Stream routed = accepted.name("route")
                .partitionAggregate(new Fields(IngestRecords.EVENT, RawRecordFields.SOURCE, RawRecordFields.POSITION),
                        new RouteEvents(parallelism, routing), RouteEvents.OUTPUT_FIELDS);
        Stream deduplicated = routed.name("dedup").partition(new ToPartition(parallelism))
                .partitionPersist(guarded.wrap(DEDUP_STATE, new FirstSeenStateFactory(
                                config.cassandra(), config.name() + "/" + DEDUP_STATE, config.dedupWindow(),
                                KeyRoute.wholeKey(routing), config.keyedStateMemoryBytes())),
                        RouteEvents.OUTPUT_FIELDS, new Deduplicate(parallelism, routing), RouteEvents.OUTPUT_FIELDS)
                .parallelismHint(parallelism)
                .newValuesStream();

        boolean counting = scope == Scope.FULL;
        List<SegmentDefinition> segments = scope == Scope.JOURNEYS_ONLY ? List.of() : config.segments();
        StateFactory userDays = counting ? guarded.wrap(USER_DAYS, new FirstSeenStateFactory(config.cassandra(),
                config.name() + "/" + USER_DAYS, userDayRetention(config), new PerUserPass.UserDayRoute(routing),
                config.keyedStateMemoryBytes()))
                : null;
        StateFactory progress = segments.isEmpty() ? null : guarded.wrap(TallyTables.SEGMENT_PROGRESS.name(),
                CassandraMapStateFactory.opaque(config.cassandra(), TallyTables.SEGMENT_PROGRESS)
                        .withKnownKeys(new PerUserPass.SegmentProgressRoute(routing), null)
                        .withWriteBehind(config.name() + "/" + TallyTables.SEGMENT_PROGRESS.name(),
                                config.userStateFlush(), config.userStateMemoryBytes()));
        // Funnels, retention and sessions are counted by the full pipeline, or by a journeys-only backfill of new ones:
        // a segments-only backfill must not count them a second time.
        boolean countsJourneys = counting || scope == Scope.JOURNEYS_ONLY;
        List<FunnelDefinition> funnels = countsJourneys ? config.funnels() : List.of();
        List<RetentionDefinition> retention = countsJourneys ? config.retention() : List.of();
        SessionDefinition sessions = countsJourneys ? config.sessions().orElse(null) : null;
        StateFactory journeys = funnels.isEmpty() && retention.isEmpty() && sessions == null ? null : guarded.wrap(TallyTables.USER_JOURNEYS.name(),
                CassandraMapStateFactory.opaque(config.cassandra(), TallyTables.USER_JOURNEYS)
                        .withKnownKeys(new PerUserPass.SegmentProgressRoute(routing), null)
                        .withWriteBehind(config.name() + "/" + TallyTables.USER_JOURNEYS.name(),
                                config.userStateFlush(), config.userStateMemoryBytes()));
        // How much older than a user's newest event one of theirs may still be accepted (see FunnelProgress).
        long horizonMillis = config.ingest().maxLatenessMillis() + config.ingest().futureToleranceMillis();
        // Per-day counts a user keeps while not a member of a segment reach back as far as an event may be late.
        int keepDays = (int) Duration.ofMillis(config.ingest().maxLatenessMillis()).toDays() + 1;
        List<String> breakdowns = config.transforms().breakdownProperties();
        Stream changes = deduplicated.name("per-user").partition(new ToPartition(parallelism))
                .partitionPersist(new UserPassState.Factory(userDays, progress, journeys), RouteEvents.OUTPUT_FIELDS,
                        new PerUserPass(counting, breakdowns, segments, keepDays, routing, funnels,
                                retention, horizonMillis, sessions), PerUserPass.OUTPUT_FIELDS)
                .parallelismHint(parallelism)
                .newValuesStream();

        if (!segments.isEmpty()) {
            Stream members = changes.filter(new Fields("member"), new IsPresent())
                    .each(new Fields("member"), new SpreadList(PerUserPass.MEMBER_FIELDS.size()),
                            PerUserPass.MEMBER_FIELDS);
            for (RowTable rows : List.of(TallyTables.segmentMembers(MembershipColumns.bySegment()),
                    TallyTables.userSegments(MembershipColumns.byUser()))) {
                members.name(stageName(rows.name())).partitionPersist(
                        states.wrap(rows.name(), CassandraRowStateFactory.of(config.cassandra(), rows)),
                        PerUserPass.MEMBER_FIELDS, CassandraRowStateFactory.writer());
            }
        }
        List<MapTable<Long>> countTables = new ArrayList<>();
        if (!segments.isEmpty()) {
            countTables.add(TallyTables.SEGMENT_SIZES_BY_DAY);
        }
        if (!funnels.isEmpty()) {
            countTables.addAll(List.of(TallyTables.FUNNEL_STEPS_BY_DAY, TallyTables.FUNNEL_STEP_MS_BY_DAY,
                    TallyTables.FUNNEL_STEP_TIMES_BY_DAY));
        }
        if (!retention.isEmpty()) {
            countTables.add(TallyTables.RETENTION_BY_DAY);
        }
        if (sessions != null) {
            countTables.add(TallyTables.SESSIONS_BY_DAY);
        }
        if (counting) {
            countTables.addAll(List.of(TallyTables.EVENT_COUNTS_BY_MINUTE, TallyTables.EVENT_COUNTS_BY_HOUR,
                    TallyTables.EVENT_COUNTS_BY_DAY, TallyTables.UNIQUE_USERS_BY_DAY));
            if (!breakdowns.isEmpty()) {
                countTables.addAll(List.of(TallyTables.PROPERTY_COUNTS_BY_HOUR, TallyTables.PROPERTY_COUNTS_BY_DAY));
            }
        }
        if (!countTables.isEmpty()) {
            sumChanges(changes, countTables, config, states, progressGuard.stage(COUNTS_STAGE));
        }
        if (scope == Scope.SEGMENTS_ONLY || scope == Scope.JOURNEYS_ONLY) {
            return topology.build();
        }

        // Nothing is lost silently: every rejected record is stored with its reason, and counted.
        Fields rejection = new Fields(IngestRecords.REJECTION);
        Stream rejected = ingested.filter(rejection, new IsPresent());
        rejected.name(stageName("rejected_events")).partitionPersist(
                states.wrap("rejected_events", CassandraRowStateFactory.of(config.cassandra(),
                        TallyTables.rejectedEvents(new RejectionColumns()).withTtl(config.ingest().rejectTtl()))),
                rejection, CassandraRowStateFactory.writer());
        countBy(rejected, IngestRecords.REJECTION, new BatchKeyCounts(new RejectionHour()), RejectionHour.OUTPUT_FIELDS,
                TallyTables.REJECTED_COUNTS_BY_HOUR, config, guarded);
        return topology.build();
    }

    /**
     * A stage's name in Storm (its bolt ids, Storm UI, the built-in metrics) after the table it keeps:
     * {@code event_counts_by_hour} is {@code counts-by-hour}, {@code rejected_events} {@code rejected-events}.
     */
    static String stageName(String table) {
        return table.replaceFirst("^event_", "").replace('_', '-');
    }

    /** The Trident stream ids of the sources {@code config} reads, under which ZooKeeper keeps their progress. */
    public static Set<String> streamIds(TallyConfig config) {
        Set<String> ids = new TreeSet<>();
        config.kafka().ifPresent(kafka -> ids.add(KAFKA_STREAM_ID));
        config.files().ifPresent(files -> ids.add(FILES_STREAM_ID));
        config.objects().ifPresent(objects -> ids.add(OBJECTS_STREAM_ID));
        return ids;
    }

    /** The de-duplication stage's state, as the state wrapper and the changelog name it. */
    public static final String DEDUP_STATE = "seen_messages";
    /** The stage summing every count table, as Storm and the progress ledger ({@code topology_progress}) name it. */
    public static final String COUNTS_STAGE = "counts";
    /** The per-user stage's (user, event, day) keys, as the state wrapper and the changelog name them. */
    public static final String USER_DAYS = "user_days";

    /**
     * How long a user's first event of a day is remembered: at least the de-duplication window, and at least as long
     * as an event of that day may still arrive (the lateness allowed, and the day itself).
     */
    static Duration userDayRetention(TallyConfig config) {
        Duration lateEnough = Duration.ofMillis(config.ingest().maxLatenessMillis()).plusDays(2);
        return lateEnough.compareTo(config.dedupWindow()) > 0 ? lateEnough : config.dedupWindow();
    }

    /**
     * Sums the per-user stage's changes to each of {@code tables}, exactly once, in one stage, whose tables are
     * wrapped one by one ({@code states}, the fault tests' hook) and guarded together ({@code guard}).
     */
    private static void sumChanges(Stream changes, List<MapTable<Long>> tables, TallyConfig config,
            StateWrapper states, ProgressGuard.Stage guard) {
        Map<String, StateFactory> byTable = new LinkedHashMap<>();
        // Each count partition knows the rows of the buckets an event may still reach (its lateness, a day's bucket
        // and a day for the clock), of every partition: the counts stage routes by Storm's hash of the key, which
        // a scan of the rows cannot recompute, and recent rows are few.
        Duration recent = Duration.ofMillis(config.ingest().maxLatenessMillis()).plusDays(2);
        tables.forEach(table -> byTable.put(table.name(), states.wrap(table.name(),
                CassandraMapStateFactory.opaque(config.cassandra(), table).withKnownKeys(null, recent))));
        Fields change = new Fields("table", "key", "delta");
        changes.filter(new Fields("member"), new Negate(new IsPresent()))
                .name(COUNTS_STAGE)
                .partitionBy(new Fields("table", "key"))
                .partitionPersist(new CountTablesState.Factory(byTable, guard), change, new SumChanges())
                .parallelismHint(config.batch().parallelism());
    }

    /**
     * Counts tuples per key, exactly once into {@code table}: {@code batchCounts} turns the {@code input} field into
     * key(s) and counts them per partition and batch first, so only distinct keys and their counts are repartitioned
     * and summed into the state.
     */
    private static void countBy(Stream stream, String input, BatchKeyCounts batchCounts, Fields keyFields,
            MapTable<Long> table, TallyConfig config, StateWrapper states) {
        List<String> withCount = new ArrayList<>(keyFields.toList());
        withCount.add(BATCH_COUNT);
        persist(stream.partitionAggregate(new Fields(input), batchCounts, new Fields(withCount))
                        .name(stageName(table.name()))
                        .groupBy(keyFields),
                new Fields(BATCH_COUNT), new LongSum(), table, config, states);
    }

    private static final String BATCH_COUNT = "batch_count";

    /** Aggregates {@code input} (null: no fields, as {@link Count} takes) per key, exactly once into {@code table}. */
    private static void persist(GroupedStream grouped, Fields input, CombinerAggregator<?> aggregator,
            MapTable<Long> table, TallyConfig config, StateWrapper states) {
        grouped.persistentAggregate(
                        states.wrap(table.name(), CassandraMapStateFactory.opaque(config.cassandra(), table)),
                        input, aggregator, new Fields("count"))
                .parallelismHint(config.batch().parallelism());
    }

    /**
     * Where Trident keeps this topology's transaction ids and batch offsets in ZooKeeper. The stream ids are the same
     * in every Tally topology, so each topology name gets its own root: two Tally topologies on one cluster (or one
     * test's topology after another's) never replay each other's batches. The name is therefore part of the state's
     * identity, like the stream ids: a topology submitted under another name starts from the first offsets.
     */
    public static String transactionalRoot(TallyConfig config) {
        return "/tally/" + config.name();
    }

    private static final int IDLE_PARKS_BEFORE_SLEEP = 10;

    /** The Storm configuration the topology is submitted with. */
    public static Config stormConfig(TallyConfig config) {
        BatchSettings batch = config.batch();
        Config conf = new Config();
        conf.setNumWorkers(batch.workers());
        conf.setMaxSpoutPending(batch.maxSpoutPending());
        conf.put(Config.TOPOLOGY_TRIDENT_BATCH_EMIT_INTERVAL_MILLIS, batch.emitIntervalMillis());
        conf.setMessageTimeoutSecs(batch.messageTimeoutSecs());
        conf.put(Config.TRANSACTIONAL_ZOOKEEPER_ROOT, transactionalRoot(config));
        // An idle executor thread waits by parkNanos(1) (about 50 µs on Linux) up to this many times before it
        // sleeps a millisecond at a time. Storm's 1,000 keep every Trident executor waking 20,000 times a second for
        // 50 ms after each tuple; Trident's coordinators receive a tuple every batch, so they never stop: it cost
        // a tenth of a core. Ten keeps a hand-off within a batch as quick and lets idle executors sleep.
        conf.put(Config.TOPOLOGY_BOLT_WAIT_PROGRESSIVE_LEVEL2_COUNT, IDLE_PARKS_BEFORE_SLEEP);
        config.prometheus().ifPresent(endpoint -> Config.registerMetricsConsumer(conf, PrometheusMetricsConsumer.class,
                Map.of(PrometheusMetricsConsumer.PORT, endpoint.port(), PrometheusMetricsConsumer.BIND, endpoint.bind()),
                1));
        TallySerialization.register(conf);
        conf.registerSerialization(EventRun.class, EventRun.KryoSerializer.class);
        conf.registerSerialization(PartitionTarget.class, PartitionTarget.KryoSerializer.class);
        conf.registerSerialization(NameAndBucket.class, NameAndBucket.KryoSerializer.class);
        RecordChunk.registerSerialization(conf);
        return conf;
    }
}
