package io.tally.topology;

import io.tally.bolts.TallySerialization;
import io.tally.bolts.trident.IngestRecords;
import io.tally.bolts.trident.IsPresent;
import io.tally.spouts.RawRecordFields;
import io.tally.spouts.kafka.KafkaEventSpouts;
import io.tally.spouts.file.LogFileSpout;
import io.tally.state.cassandra.CassandraMapStateFactory;
import io.tally.state.cassandra.CassandraRowStateFactory;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.EventHour;
import io.tally.topology.aggregate.RejectionHour;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.rejects.RejectionColumns;
import java.util.ArrayList;
import java.util.List;
import org.apache.storm.Config;
import org.apache.storm.generated.StormTopology;
import org.apache.storm.trident.Stream;
import org.apache.storm.trident.TridentTopology;
import org.apache.storm.trident.operation.builtin.Count;
import org.apache.storm.tuple.Fields;

/**
 * Tally's topology as a plain function of its configuration, so that tests, the local runner and
 * {@code storm jar} all run the same wiring.
 *
 * <p>The stream ids below name where Trident keeps each spout's transaction ids and offsets in
 * ZooKeeper. They must never change between deployments of the same data: a new id starts again
 * from txid 1 and from the first offset, and the opaque state in Cassandra would then count again.
 */
public final class TallyTopology {
    /** Trident stream id of the Kafka spout. Never change it on a running installation. */
    public static final String KAFKA_STREAM_ID = "tally-kafka";
    /** Trident stream id of the log-file spout. Never change it on a running installation. */
    public static final String FILES_STREAM_ID = "tally-files";

    private TallyTopology() {
    }

    /**
     * Which streams to build: the full pipeline, or only the hourly event counts (no rejected-record storage),
     * which the benchmark measures against the raw Kafka read rate.
     */
    public enum Scope { FULL, COUNTS_ONLY }

    public static StormTopology build(TallyConfig config) {
        return build(config, Scope.FULL);
    }

    public static StormTopology build(TallyConfig config, Scope scope) {
        BatchSettings batch = config.batch();
        TridentTopology topology = new TridentTopology();
        List<Stream> sources = new ArrayList<>();
        config.kafka().ifPresent(kafka -> sources.add(
                topology.newStream(KAFKA_STREAM_ID, KafkaEventSpouts.opaque(kafka))
                        .parallelismHint(batch.spoutParallelism())));
        config.files().ifPresent(files -> sources.add(
                topology.newStream(FILES_STREAM_ID, new LogFileSpout(files))
                        .parallelismHint(batch.spoutParallelism())));
        // Both sources emit the same raw-record fields and feed one ingest path.
        Stream raw = sources.size() == 1 ? sources.get(0) : topology.merge(RawRecordFields.FIELDS, sources);
        Stream ingested = raw.each(RawRecordFields.FIELDS, new IngestRecords(config.ingest(), config.transforms()),
                IngestRecords.OUTPUT_FIELDS);

        ingested.filter(new Fields(IngestRecords.EVENT), new IsPresent())
                .each(new Fields(IngestRecords.EVENT), new EventHour(), EventHour.OUTPUT_FIELDS)
                .groupBy(EventHour.OUTPUT_FIELDS)
                .persistentAggregate(
                        CassandraMapStateFactory.opaque(config.cassandra(), TallyTables.EVENT_COUNTS_BY_HOUR),
                        new Count(), new Fields("count"))
                .parallelismHint(batch.parallelism());
        if (scope == Scope.COUNTS_ONLY) {
            return topology.build();
        }

        // Nothing is lost silently: every rejected record is stored with its reason, and counted.
        Fields rejection = new Fields(IngestRecords.REJECTION);
        Stream rejected = ingested.filter(rejection, new IsPresent());
        rejected.partitionPersist(
                CassandraRowStateFactory.of(config.cassandra(), TallyTables.rejectedEvents(new RejectionColumns())),
                rejection, CassandraRowStateFactory.writer());
        rejected.each(rejection, new RejectionHour(), RejectionHour.OUTPUT_FIELDS)
                .groupBy(RejectionHour.OUTPUT_FIELDS)
                .persistentAggregate(
                        CassandraMapStateFactory.opaque(config.cassandra(), TallyTables.REJECTED_COUNTS_BY_HOUR),
                        new Count(), new Fields("count"))
                .parallelismHint(batch.parallelism());
        return topology.build();
    }

    /** The Storm configuration the topology is submitted with. */
    public static Config stormConfig(TallyConfig config) {
        BatchSettings batch = config.batch();
        Config conf = new Config();
        conf.setNumWorkers(batch.workers());
        conf.setMaxSpoutPending(batch.maxSpoutPending());
        conf.put(Config.TOPOLOGY_TRIDENT_BATCH_EMIT_INTERVAL_MILLIS, batch.emitIntervalMillis());
        conf.setMessageTimeoutSecs(batch.messageTimeoutSecs());
        TallySerialization.register(conf);
        return conf;
    }
}
