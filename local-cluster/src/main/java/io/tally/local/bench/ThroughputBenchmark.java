package io.tally.local.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.local.LocalStack;
import io.tally.local.LocalStackConfig;
import io.tally.local.kafka.KafkaTopics;
import io.tally.local.sample.EventGenerator;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.internal.SessionRegistry;
import io.tally.state.cassandra.internal.StateMetrics;
import io.tally.state.schema.SchemaApplier;
import io.tally.state.schema.TallyTables;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures, in one run on this machine, the raw limit (a plain KafkaConsumer reading and Jackson-parsing the
 * topic, after a warm-up pass) and Tally's topology counting the same topic into Cassandra exactly once, then
 * checks the counts are exact. Prints a table and writes the same numbers as JSON.
 */
@Command(name = "tally-benchmark", mixinStandardHelpOptions = true,
        description = "Throughput of the Tally topology beside the raw Kafka read+parse rate, on real servers.")
public final class ThroughputBenchmark implements Callable<Integer> {
    private static final String TOPIC = "bench-events";
    private static final int PARTITIONS = 4;

    @Option(names = "--events", defaultValue = "2000000", description = "Events to produce (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--users", defaultValue = "100000", description = "Distinct users (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--json", defaultValue = "target/benchmark.json", description = "Where to write the results as JSON.")
    Path json;

    @Option(names = "--spout-parallelism", defaultValue = "1",
            description = "Spout tasks; parsing runs in the same tasks (default: ${DEFAULT-VALUE}).")
    int spoutParallelism;

    @Option(names = "--scope", defaultValue = "FULL",
            description = "Topology scope: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    TallyTopology.Scope scope;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dataDir = Files.createTempDirectory("tally-bench-");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("events", events);
        results.put("partitions", PARTITIONS);
        results.put("cores", Runtime.getRuntime().availableProcessors());
        try (LocalStack stack = LocalStack.start(LocalStackConfig.builder().dataDir(dataDir).ephemeralPorts().build())) {
            String bootstrap = stack.kafka().bootstrapServers();
            KafkaTopics.create(bootstrap, TOPIC, PARTITIONS);
            Map<String, Long> truth = produce(bootstrap);
            results.put("bytes_per_event", bytesPerEvent);

            rawReadAndParse(bootstrap); // warm-up: the JIT compiles the consumer and parser paths
            double rawRate = rawReadAndParse(bootstrap);
            results.put("raw_read_parse_events_per_s", Math.round(rawRate));

            InetSocketAddress cassandra = stack.cassandra().contactPoint();
            TallyConfig config = TallyConfig.builder()
                    .name("tally-bench")
                    .batch(BatchSettings.builder().spoutParallelism(spoutParallelism).build())
                    .kafka(KafkaSpoutSettings.builder(bootstrap, List.of(TOPIC)).build())
                    .cassandra(CassandraSettings.builder()
                            .contactPoint(cassandra.getHostString() + ":" + cassandra.getPort())
                            .keyspace("bench")
                            .build())
                    .build();
            try (CqlSession session = SessionRegistry.builder(config.cassandra()).build()) {
                SchemaApplier.bundled().apply(session, "bench", config.replication());
                stack.storm().submit(config.name(), TallyTopology.stormConfig(config), TallyTopology.build(config, scope));
                Run run = awaitAllCounted(session, events, Duration.ofMinutes(20));
                stack.storm().kill(config.name());
                double topologyRate = (events - run.countedAtFirst) / run.seconds;
                results.put("topology_scope", scope.name());
                results.put("spout_parallelism", spoutParallelism);
                results.put("topology_events_per_s", Math.round(topologyRate));
                results.put("topology_vs_raw", Math.round(topologyRate / rawRate * 100) / 100.0);
                // What the states cost Cassandra, per 1,000 events, over the whole run (this JVM runs every state).
                StateMetrics.Totals cost = StateMetrics.totals();
                results.put("cassandra_rows_read_per_1000_events", perThousand(cost.rowsRead(), events));
                results.put("cassandra_read_requests_per_1000_events", perThousand(cost.readRequests(), events));
                results.put("cassandra_rows_written_per_1000_events", perThousand(cost.rowsWritten(), events));
                results.put("cassandra_write_requests_per_1000_events", perThousand(cost.writeRequests(), events));
                Map<String, Long> counted = countsPerEvent(session);
                results.put("exact", counted.equals(truth));
                print(results);
                Files.createDirectories(json.toAbsolutePath().getParent());
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), results);
                System.out.println("Results written to " + json.toAbsolutePath());
                return counted.equals(truth) ? 0 : 1;
            } finally {
                SessionRegistry.closeAll();
            }
        } finally {
            deleteRecursively(dataDir);
        }
    }

    private long bytesPerEvent;

    private Map<String, Long> produce(String bootstrap) throws Exception {
        EventGenerator generator = new EventGenerator(42L, Instant.parse("2026-11-20T00:00:00Z"), 48, users);
        Map<String, Long> truth = new HashMap<>();
        long bytes = 0;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"), new ByteArraySerializer(), new ByteArraySerializer())) {
            Future<RecordMetadata> last = null;
            for (int i = 0; i < events; i++) {
                var event = generator.next();
                truth.merge(event.countName(), 1L, Long::sum);
                bytes += event.json().length;
                last = producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, event.json()));
            }
            producer.flush();
            last.get();
        }
        bytesPerEvent = bytes / events;
        System.out.printf("Produced %,d events (%d bytes each on average) in %.1f s%n", events, bytesPerEvent,
                (System.nanoTime() - start) / 1e9);
        return truth;
    }

    /** A plain consumer reading every record of the topic and parsing each with Jackson; events per second. */
    private double rawReadAndParse(String bootstrap) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100_000);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = 0;
            long fields = 0;
            long start = System.nanoTime();
            while (read < events) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    fields += mapper.readTree(record.value()).size();
                    read++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Raw read+parse: %,d events in %.2f s (%d fields seen)%n", read, seconds, fields);
            return read / seconds;
        }
    }

    private record Run(long countedAtFirst, double seconds) {
    }

    /** From the first committed batch to the last event counted, polling the count table. */
    private static Run awaitAllCounted(CqlSession session, long events, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long firstAt = 0;
        long countedAtFirst = 0;
        while (System.nanoTime() < deadline) {
            long total = 0;
            for (Row row : session.execute("SELECT event, count FROM bench.event_counts_by_hour")) {
                if (TallyTables.ALL_EVENTS.equals(row.getString(0))) {
                    total += row.getLong(1);
                }
            }
            long now = System.nanoTime();
            if (total > 0 && firstAt == 0) {
                firstAt = now;
                countedAtFirst = total;
            }
            if (total >= events) {
                return new Run(countedAtFirst, Math.max(1e-3, (now - firstAt) / 1e9));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the topology did not count every event within " + timeout);
    }

    private static Map<String, Long> countsPerEvent(CqlSession session) {
        Map<String, Long> counts = new HashMap<>();
        for (Row row : session.execute("SELECT event, count FROM bench.event_counts_by_hour")) {
            if (!TallyTables.ALL_EVENTS.equals(row.getString(0))) {
                counts.merge(row.getString(0), row.getLong(1), Long::sum);
            }
        }
        return counts;
    }

    private static double perThousand(long amount, long events) {
        return Math.round(amount * 1000.0 / events * 10) / 10.0;
    }

    private static void print(Map<String, Object> results) {
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        results.forEach((k, v) -> System.out.printf("| %s | %s |%n", k,
                v instanceof Long || v instanceof Integer ? String.format("%,d", ((Number) v).longValue()) : v));
        System.out.println();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
