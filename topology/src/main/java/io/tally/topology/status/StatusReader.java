package io.tally.topology.status;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.spouts.file.FileBacklog;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreBacklog;
import io.tally.state.schema.TallyTables;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutBatchMetadata;

/**
 * Reads a deployment's {@link TallyStatus}: Kafka's end offsets against the offsets of Trident's last committed batch
 * (the spout commits no consumer-group offsets, so this is Tally's lag), the watched directory against the file
 * spout's committed progress, a listing of the object-store prefixes against the object spout's, the last commit from Trident's coordinator, and the counts from Cassandra.
 */
public final class StatusReader implements AutoCloseable {
    private static final int TIMEOUT_SECONDS = 15;

    private final TallyConfig config;
    private final TridentZooKeeper trident;
    private final CqlSession session;
    private final Admin kafka;

    /**
     * @param stormConf where Trident keeps its state (see {@link TridentZooKeeper})
     * @param session a session to the configuration's Cassandra; not closed here
     */
    public StatusReader(TallyConfig config, Map<String, Object> stormConf, CqlSession session) {
        this.config = config;
        this.session = session;
        this.trident = new TridentZooKeeper(stormConf, TallyTopology.transactionalRoot(config));
        this.kafka = config.kafka().map(StatusReader::admin).orElse(null);
    }

    private static Admin admin(KafkaSpoutSettings settings) {
        Map<String, Object> props = new HashMap<>(settings.consumerProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
        return Admin.create(props);
    }

    public TallyStatus read() {
        Optional<TridentZooKeeper.Commit> commit = lastCommit();
        long committedTxid = commit.map(TridentZooKeeper.Commit::txid).orElse(0L);
        Map<String, Long> lag = null;
        Long records = null;
        if (kafka != null) {
            KafkaProgress progress = kafkaProgress(config.kafka().orElseThrow(),
                    trident.committedPartitions(TallyTopology.KAFKA_STREAM_ID, committedTxid));
            lag = progress.lagByTopic();
            records = progress.records();
        }
        Integer filesPending = null;
        Long filesPendingBytes = null;
        Optional<FileSpoutSettings> files = config.files();
        if (files.isPresent()) {
            List<FileBacklog.PendingFile> pending = FileBacklog.pending(files.get(),
                    trident.committedPartitions(TallyTopology.FILES_STREAM_ID, committedTxid));
            filesPending = pending.size();
            filesPendingBytes = pending.stream().mapToLong(p -> p.size() - p.read()).sum();
        }
        TallyStatus.ObjectProgress objects = config.objects().map(settings -> {
            ObjectStoreBacklog.Progress progress = ObjectStoreBacklog.progress(settings,
                    trident.committedPartitions(TallyTopology.OBJECTS_STREAM_ID, committedTxid));
            return new TallyStatus.ObjectProgress(progress.objectsListed(), progress.objectsRead(), progress.bytesListed(),
                    progress.bytesRead());
        }).orElse(null);
        return new TallyStatus(config.name(), lag, records, filesPending, filesPendingBytes, objects,
                commit.map(TridentZooKeeper.Commit::txid).orElse(null),
                commit.map(c -> Duration.between(c.at(), Instant.now()).toMillis() / 1000.0).orElse(null),
                eventsCounted(), rejectedByReason());
    }

    /** The streams share one batch coordinator, which records each commit under every stream. */
    private Optional<TridentZooKeeper.Commit> lastCommit() {
        for (String stream : List.of(TallyTopology.KAFKA_STREAM_ID, TallyTopology.FILES_STREAM_ID,
                TallyTopology.OBJECTS_STREAM_ID)) {
            Optional<TridentZooKeeper.Commit> commit = trident.lastCommit(stream);
            if (commit.isPresent()) {
                return commit;
            }
        }
        return Optional.empty();
    }

    private record KafkaProgress(Map<String, Long> lagByTopic, long records) {
    }

    private KafkaProgress kafkaProgress(KafkaSpoutSettings settings, Map<String, Map<String, Object>> committed) {
        try {
            Map<String, TopicDescription> topics = kafka.describeTopics(settings.topics()).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<TopicPartition> partitions = topics.values().stream()
                    .flatMap(t -> t.partitions().stream().map(p -> new TopicPartition(t.name(), p.partition())))
                    .toList();
            // Only committed transactions are read (read_committed), so the end is the last stable offset.
            Map<TopicPartition, ListOffsetsResultInfo> ends = kafka.listOffsets(
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResultInfo> starts = kafka.listOffsets(
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest())))
                    .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Map<String, Long> lag = new TreeMap<>();
            settings.topics().forEach(topic -> lag.put(topic, 0L));
            long records = 0;
            for (TopicPartition partition : partitions) {
                long end = ends.get(partition).offset();
                long start = starts.get(partition).offset();
                Map<String, Object> meta = committed.get(partition.topic() + "@" + partition.partition());
                long next = meta == null ? start
                        : Math.max(start, KafkaTridentSpoutBatchMetadata.fromMap(meta).getLastOffset() + 1);
                lag.merge(partition.topic(), Math.max(0, end - next), Long::sum);
                records += end - start;
            }
            return new KafkaProgress(lag, records);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + settings.bootstrapServers() + " did not answer within "
                    + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading Kafka offsets", e);
        }
    }

    /** Each event is counted under its name and under '*' (all events): the events are the '*' rows. */
    private long eventsCounted() {
        long counted = 0;
        for (Row row : session.execute("SELECT event, count FROM " + config.cassandra().keyspace() + "."
                + TallyTables.EVENT_COUNTS_BY_DAY.name())) {
            if (TallyTables.ALL_EVENTS.equals(row.getString(0))) {
                counted += row.getLong(1);
            }
        }
        return counted;
    }

    private Map<String, Long> rejectedByReason() {
        Map<String, Long> byReason = new TreeMap<>();
        for (Row row : session.execute("SELECT reason, count FROM " + config.cassandra().keyspace() + "."
                + TallyTables.REJECTED_COUNTS_BY_HOUR.name())) {
            byReason.merge(row.getString(0), row.getLong(1), Long::sum);
        }
        return byReason;
    }

    @Override
    public void close() {
        trident.close();
        if (kafka != null) {
            kafka.close();
        }
    }
}
