package io.tally.topology;

import io.tally.bolts.TallySerialization;
import io.tally.bolts.trident.IngestRecords;
import io.tally.bolts.trident.IsPresent;
import io.tally.spouts.MeteredSpout;
import io.tally.spouts.RawRecordFields;
import io.tally.spouts.RecordChunk;
import io.tally.spouts.kafka.KafkaEventSpouts;
import io.tally.spouts.file.LogFileSpout;
import io.tally.state.cassandra.CassandraMapStateFactory;
import io.tally.state.cassandra.CassandraRowStateFactory;
import io.tally.state.schema.TallyTables;
import io.tally.state.cassandra.FirstClaimStateFactory;
import io.tally.state.cassandra.FirstClaimUpdater;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowTable;
import io.tally.topology.aggregate.BatchKeyCounts;
import io.tally.topology.aggregate.EventBuckets;
import io.tally.topology.aggregate.LongSum;
import io.tally.topology.aggregate.MessageIds;
import io.tally.topology.aggregate.PropertyBuckets;
import io.tally.topology.aggregate.UserDays;
import io.tally.topology.aggregate.UtcBucket;
import io.tally.topology.aggregate.RejectionHour;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.rejects.RejectionColumns;
import io.tally.topology.segment.MembershipColumns;
import io.tally.topology.segment.SegmentEntries;
import io.tally.topology.segment.SegmentMatches;
import io.tally.topology.segment.SegmentProgressUpdater;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.storm.Config;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.trident.Stream;
import org.apache.storm.trident.TridentTopology;
import org.apache.storm.trident.fluent.GroupedStream;
import org.apache.storm.trident.operation.CombinerAggregator;
import org.apache.storm.trident.operation.builtin.Count;
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
    /** Storm metric: records dropped because an earlier record claimed their {@code messageId}. */
    public static final String DUPLICATES_DROPPED_METRIC = "tally.dedup.duplicates_dropped";

    private TallyTopology() {
    }

    /**
     * Which streams to build: the full pipeline; only the hourly event counts (no rejected-record storage), which the
     * benchmark measures against the raw Kafka read rate; or only de-duplication and segments, which backfills
     * segments from retained data under another topology name without counting anything else again.
     */
    public enum Scope { FULL, COUNTS_ONLY, SEGMENTS_ONLY }

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
        BatchSettings batch = config.batch();
        int parallelism = batch.parallelism();
        TridentTopology topology = new TridentTopology();
        List<Stream> sources = new ArrayList<>();
        config.kafka().ifPresent(kafka -> sources.add(
                topology.newStream(KAFKA_STREAM_ID, new MeteredSpout("kafka", KafkaEventSpouts.exactReplay(kafka)))
                        .parallelismHint(batch.spoutParallelism())));
        config.files().ifPresent(files -> sources.add(
                topology.newStream(FILES_STREAM_ID, new MeteredSpout("files", new LogFileSpout(files)))
                        .parallelismHint(batch.spoutParallelism())));
        // Both sources emit chunks of the same raw records and feed one ingest path.
        Stream chunks = sources.size() == 1 ? sources.get(0) : topology.merge(RecordChunk.FIELDS, sources);
        Stream ingested = chunks.flatMap(new IngestRecords(config.ingest(), config.transforms()),
                IngestRecords.OUTPUT_FIELDS);
        Fields event = new Fields(IngestRecords.EVENT);
        Stream accepted = ingested.filter(event, new IsPresent());

        if (scope == Scope.COUNTS_ONLY) {
            countBy(accepted, IngestRecords.EVENT, EventBuckets.counts(UtcBucket.HOUR), EventBuckets.OUTPUT_FIELDS,
                    TallyTables.EVENT_COUNTS_BY_HOUR, config, states);
            return topology.build();
        }

        // A producer's retry carries the messageId of the original: only the first record with it goes on.
        Fields messageClaim = new Fields(MessageIds.OUTPUT_FIELDS.get(0), RawRecordFields.SOURCE,
                RawRecordFields.POSITION, IngestRecords.EVENT);
        Stream counted = accepted
                .each(new Fields(IngestRecords.EVENT, RawRecordFields.SOURCE, RawRecordFields.POSITION),
                        new MessageIds(), MessageIds.OUTPUT_FIELDS)
                .partitionBy(MessageIds.OUTPUT_FIELDS)
                .partitionPersist(states.wrap(TallyTables.SEEN_MESSAGES.name(), FirstClaimStateFactory.of(
                                config.cassandra(), TallyTables.seenMessages(config.dedupWindow()))),
                        messageClaim, new FirstClaimUpdater(1, DUPLICATES_DROPPED_METRIC), messageClaim)
                .parallelismHint(parallelism)
                .newValuesStream();

        if (!config.segments().isEmpty()) {
            segments(counted, config, states);
        }
        if (scope == Scope.SEGMENTS_ONLY) {
            return topology.build();
        }

        countBy(counted, IngestRecords.EVENT, EventBuckets.counts(UtcBucket.MINUTE), EventBuckets.OUTPUT_FIELDS,
                TallyTables.EVENT_COUNTS_BY_MINUTE, config, states);
        countBy(counted, IngestRecords.EVENT, EventBuckets.counts(UtcBucket.HOUR), EventBuckets.OUTPUT_FIELDS,
                TallyTables.EVENT_COUNTS_BY_HOUR, config, states);
        countBy(counted, IngestRecords.EVENT, EventBuckets.counts(UtcBucket.DAY), EventBuckets.OUTPUT_FIELDS,
                TallyTables.EVENT_COUNTS_BY_DAY, config, states);
        List<String> breakdowns = config.transforms().breakdownProperties();
        if (!breakdowns.isEmpty()) {
            countBy(counted, IngestRecords.EVENT, new BatchKeyCounts(new PropertyBuckets(UtcBucket.HOUR, breakdowns)),
                    PropertyBuckets.OUTPUT_FIELDS,
                    TallyTables.PROPERTY_COUNTS_BY_HOUR, config, states);
            countBy(counted, IngestRecords.EVENT, new BatchKeyCounts(new PropertyBuckets(UtcBucket.DAY, breakdowns)),
                    PropertyBuckets.OUTPUT_FIELDS,
                    TallyTables.PROPERTY_COUNTS_BY_DAY, config, states);
        }

        // Distinct users: the first record of a user on a day (per event, and over all events) counts one user.
        Fields userClaim = new Fields("event_name", "day", "user_key", RawRecordFields.SOURCE, RawRecordFields.POSITION);
        Stream firstOfUserDay = counted
                .each(event, new UserDays(), UserDays.OUTPUT_FIELDS)
                .partitionBy(UserDays.OUTPUT_FIELDS)
                .partitionPersist(states.wrap(TallyTables.EVENT_USERS_BY_DAY.name(),
                                FirstClaimStateFactory.of(config.cassandra(), TallyTables.EVENT_USERS_BY_DAY)),
                        userClaim, new FirstClaimUpdater(3), userClaim)
                .parallelismHint(parallelism)
                .newValuesStream();
        persistCount(firstOfUserDay.groupBy(new Fields("event_name", "day")), TallyTables.UNIQUE_USERS_BY_DAY,
                config, states);

        // Nothing is lost silently: every rejected record is stored with its reason, and counted.
        Fields rejection = new Fields(IngestRecords.REJECTION);
        Stream rejected = ingested.filter(rejection, new IsPresent());
        rejected.partitionPersist(
                states.wrap("rejected_events", CassandraRowStateFactory.of(config.cassandra(),
                        TallyTables.rejectedEvents(new RejectionColumns()).withTtl(config.ingest().rejectTtl()))),
                rejection, CassandraRowStateFactory.writer());
        countBy(rejected, IngestRecords.REJECTION, new BatchKeyCounts(new RejectionHour()), RejectionHour.OUTPUT_FIELDS,
                TallyTables.REJECTED_COUNTS_BY_HOUR, config, states);
        return topology.build();
    }

    /**
     * Segment membership, exactly once: each (segment, user)'s progress is an opaque map value advanced once per batch
     * by the batch's matching events; members' rows are idempotent upserts and daily entries opaque sums of the
     * changes the progress reports (see {@link SegmentProgressUpdater}).
     */
    private static void segments(Stream counted, TallyConfig config, StateWrapper states) {
        Fields segmentUser = new Fields("segment", "user_key");
        // Per-day counts a user keeps while not a member reach back as far as an event may be late.
        int keepDays = (int) Duration.ofMillis(config.ingest().maxLatenessMillis()).toDays() + 1;
        Stream members = counted
                .each(new Fields(IngestRecords.EVENT), new SegmentMatches(config.segments()), SegmentMatches.OUTPUT_FIELDS)
                .partitionBy(segmentUser)
                .partitionPersist(states.wrap(TallyTables.SEGMENT_PROGRESS.name(),
                                CassandraMapStateFactory.opaque(config.cassandra(), TallyTables.SEGMENT_PROGRESS)),
                        SegmentMatches.OUTPUT_FIELDS, new SegmentProgressUpdater(config.segments(), keepDays),
                        SegmentProgressUpdater.OUTPUT_FIELDS)
                .parallelismHint(config.batch().parallelism())
                .newValuesStream();
        Fields membership = new Fields("segment", "user_key", "events", "last_activity", "qualified_day");
        RowTable memberRows = TallyTables.segmentMembers(MembershipColumns.bySegment());
        RowTable userRows = TallyTables.userSegments(MembershipColumns.byUser());
        for (RowTable rows : List.of(memberRows, userRows)) {
            members.partitionPersist(states.wrap(rows.name(), CassandraRowStateFactory.of(config.cassandra(), rows)),
                    membership, CassandraRowStateFactory.writer());
        }
        persist(members.each(new Fields("qualified_day", "entered_before"), new SegmentEntries(),
                        SegmentEntries.OUTPUT_FIELDS).groupBy(new Fields("segment", "day")),
                new Fields("delta"), new LongSum(), TallyTables.SEGMENT_SIZES_BY_DAY, config, states);
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
                        .groupBy(keyFields),
                new Fields(BATCH_COUNT), new LongSum(), table, config, states);
    }

    private static final String BATCH_COUNT = "batch_count";

    private static void persistCount(GroupedStream grouped, MapTable<Long> table, TallyConfig config,
            StateWrapper states) {
        persist(grouped, null, new Count(), table, config, states);
    }

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
        TallySerialization.register(conf);
        RecordChunk.registerSerialization(conf);
        return conf;
    }
}
