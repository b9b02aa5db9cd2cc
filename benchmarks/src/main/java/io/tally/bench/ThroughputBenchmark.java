package io.tally.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.bench.TopologyRunner.TopologyRun;
import io.tally.local.LocalStack;
import io.tally.local.LocalStackConfig;
import io.tally.local.kafka.KafkaTopics;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.topology.TallyTopology.Scope;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Measures, in one run on this machine and its real servers: the raw limit (a plain KafkaConsumer reading and
 * Jackson-parsing the topic, after a warm-up pass); Tally's topology counting the same topic into Cassandra exactly
 * once, counts only and then the full pipeline, with CPU per event, the worker's memory and Cassandra's rows per
 * event; freshness at a fixed offered load; and checks every result against the workload's truth. With
 * {@code --growth}, instead: how the full pipeline's costs grow with 4× and 16× the users and 5× the events.
 * Prints tables and writes the same numbers as JSON. This class is the command and the order of the runs, with the
 * workload's producing and the raw read; {@link TopologyRunner} runs each topology, {@link ExactnessChecks} holds its
 * tables to the truth and {@link ResultTables} prints what was measured.
 */
@Command(name = "tally-benchmark", mixinStandardHelpOptions = true,
        description = "Throughput, freshness and cost of the Tally topology beside the raw Kafka read+parse rate.")
public final class ThroughputBenchmark implements Callable<Integer> {
    private static final int PARTITIONS = 4;
    private static final long SEED = 42L;
    /** The full pipeline as an operator would configure it: breakdowns and segments of every kind. */
    private static final String FULL_PIPELINE_YAML = """
            transforms:
              steps:
                - derive_property: {name: country, from: context.location.country}
              breakdown_properties: [country, currency]
            segments:
              - name: buyers
                rule: {event: Order Completed}
              - name: big_spenders_de
                rule:
                  and:
                    - event: [Product Added, Order Completed]
                    - {field: properties.price, gte: 120}
                    - {field: context.location.country, equals: DE}
              - name: daily_viewers
                rule: {at_least: 4, per: day, where: {event: Product Viewed}}
              - name: steady_searchers
                rule: {at_least: 3, within_days: 2, where: {event: Products Searched}}
            """;

    /** What #23's target adds on top of the full pipeline: four funnels, two retention definitions, sessions. */
    private static final String JOURNEYS_YAML = """
            funnels:
              - name: purchase
                steps: [{event: Product Viewed}, {event: Product Added}, {event: Checkout Started},
                        {event: Order Completed}]
              - name: search_to_cart
                steps: [{event: Products Searched}, {event: Product Clicked}, {event: Product Added}]
              - name: coupon
                window_days: 2
                steps: [{event: Cart Viewed}, {event: Coupon Entered}, {event: Coupon Applied}, {event: Order Completed}]
              - name: sign_up_to_order
                window_days: 14
                steps: [{event: Signed Up}, {event: Signed In}, {event: Order Completed}]
            retention:
              - name: sign_ups
                start: {event: Signed Up}
              - name: buyers
                start: {event: Order Completed}
                return: {event: Order Completed}
            sessions: {}
            """;

    @Option(names = "--journeys",
            description = "Also run the full pipeline with four funnels, two retention definitions and sessions, right"
                    + " after the full pipeline on the same workload, to compare their costs; and its freshness.")
    boolean journeys;

    @Option(names = "--events", defaultValue = "2000000", description = "Records to produce (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--users", defaultValue = "100000", description = "Distinct users (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--duplicates-percent", defaultValue = "2",
            description = "Records that repeat an earlier record's messageId (default: ${DEFAULT-VALUE}).")
    int duplicatePercent;

    @Option(names = "--bad-percent", defaultValue = "1",
            description = "Records Tally must reject (default: ${DEFAULT-VALUE}).")
    int badPercent;

    @Option(names = "--freshness-rate", defaultValue = "20000",
            description = "Events per second offered while measuring freshness (default: ${DEFAULT-VALUE}).")
    int freshnessRate;

    @Option(names = "--freshness-full-rate", defaultValue = "0",
            description = "Events per second offered to the full pipeline while measuring freshness; 0 offers half the"
                    + " rate it sustained in this run, at most --freshness-rate (default: ${DEFAULT-VALUE}).")
    int freshnessFullRate;

    @Option(names = "--freshness-seconds", defaultValue = "30",
            description = "Seconds of offered load the freshness percentiles cover; 0 skips freshness "
                    + "(default: ${DEFAULT-VALUE}).")
    int freshnessSeconds;

    @Option(names = "--scopes", split = ",", defaultValue = "COUNTS_ONLY,FULL",
            description = "Topologies to measure, of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    List<Scope> scopes;

    @Option(names = "--spout-parallelism", defaultValue = "1",
            description = "Spout tasks; parsing runs in as many tasks (default: ${DEFAULT-VALUE}).")
    int spoutParallelism;

    @Option(names = "--parallelism", defaultValue = "1",
            description = "Tasks per Cassandra state (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--max-spout-pending", defaultValue = "2",
            description = "Batches in flight at once (default: ${DEFAULT-VALUE}).")
    int maxSpoutPending;

    @Option(names = "--repeat", defaultValue = "3",
            description = "Measured passes of the raw read and of counts only; the median is reported, every pass is "
                    + "in the JSON (default: ${DEFAULT-VALUE}). The full pipeline runs once.")
    int repeat;

    @Option(names = "--in-memory-states", description = "Also run the full pipeline with its claims and map states in "
            + "the worker's memory (all but the hourly counts, which the run is timed and checked by): what the "
            + "topology itself sustains when those states cost nothing. Runs last, after a full-pipeline warm-up.")
    boolean inMemoryStates;

    @Option(names = "--keyed-state-memory-mb", defaultValue = "0",
            description = "aggregates.keyed_state_memory_mb for every run, to reach the keyed stages' spill with fewer"
                    + " records; 0: the configuration's default (default: ${DEFAULT-VALUE}).")
    long keyedStateMemoryMb;

    @Option(names = "--growth", description = "Measure the full pipeline's cost growth instead: the run as given, "
            + "then 4x and 16x the users, then 5x the records.")
    boolean growth;

    @Mixin
    ResultsFile json = new ResultsFile("target/benchmark.json");

    private LocalStack stack;
    private ResourceUsage resources;
    private TopologyRunner topologies;
    private ExactnessChecks checks;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--repeat must be at least 1, was " + repeat);
        }
        Path dataDir = Files.createTempDirectory("tally-bench-");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("cores", Runtime.getRuntime().availableProcessors());
        results.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        results.put("partitions", PARTITIONS);
        boolean exact;
        try (LocalStack started = LocalStack.start(LocalStackConfig.builder().dataDir(dataDir).ephemeralPorts().build())) {
            stack = started;
            resources = new ResourceUsage(Map.of("worker", ProcessHandle.current().pid(),
                    "kafka", stack.kafka().pid(), "cassandra", stack.cassandra().pid()));
            InetSocketAddress cassandra = stack.cassandra().contactPoint();
            CqlSession session = SessionRegistry.builder(CassandraSettings.builder()
                    .contactPoint(cassandra.getHostString() + ":" + cassandra.getPort()).keyspace("system").build())
                    .build();
            topologies = new TopologyRunner(stack, session, resources, PARTITIONS);
            checks = new ExactnessChecks(session);
            try {
                exact = growth ? growthCurve(results) : fullRun(results);
            } finally {
                session.close();
                SessionRegistry.closeAll();
            }
        } finally {
            deleteRecursively(dataDir);
        }
        json.write(results);
        if (!exact) {
            System.out.println("NOT EXACT: a result differs from the workload's truth (see *_exact above).");
        }
        return exact ? 0 : 1;
    }

    /**
     * Half the rate a topology sustained on the replayed workload, in steps of 500, at most --freshness-rate: offered
     * above what it sustains, each event waits longer than the last, so freshness is measured where it keeps up.
     */
    private int keptUpRate(long sustained) {
        return (int) Math.min(freshnessRate, Math.max(500, sustained / 2 / 500 * 500));
    }

    /** Raw limit, counts only, full pipeline and freshness on one workload. */
    private boolean fullRun(Map<String, Object> results) throws Exception {
        BenchmarkWorkload workload = new BenchmarkWorkload(events, users, duplicatePercent, badPercent);
        String topic = "bench-events";
        BenchmarkWorkload.Truth truth = produce(workload, topic);
        results.put("workload", workloadSummary(truth));
        resources.awaitIdle(0.1, Duration.ofSeconds(30)); // Kafka is still flushing what was produced
        warmUpRawRead(topic);
        List<Double> rawRuns = new ArrayList<>();
        for (int run = 0; run < repeat; run++) {
            rawRuns.add(rawReadAndParse(topic));
        }
        double raw = median(rawRuns);
        results.put("raw_read_parse_events_per_s", Math.round(raw));
        results.put("raw_read_parse_events_per_s_runs", rawRuns.stream().map(Math::round).toList());

        boolean exact = true;
        if (scopes.contains(Scope.COUNTS_ONLY)) {
            List<Map<String, Object>> warmUps = warmUpCounts(topic, truth);
            List<TopologyRun> runs = new ArrayList<>();
            boolean countsExact = true;
            for (int run = 0; run < repeat; run++) {
                TopologyRun counts = topologies.runTopology("counts", topic, Scope.COUNTS_ONLY, baseConfig(),
                        truth.accepted(), truth.days(),
                        keyspace -> checks.countsPerEvent(keyspace).equals(truth.countsPerEventWithDuplicates()));
                countsExact &= counts.exact();
                runs.add(counts);
            }
            runs.sort(java.util.Comparator.comparingLong(TopologyRun::eventsPerSecond));
            Map<String, Object> countsResult = new LinkedHashMap<>();
            countsResult.put("counts_exact", countsExact);
            countsResult.putAll(runs.get(runs.size() / 2).summary(raw));
            countsResult.put("events_per_s_runs", runs.stream().map(TopologyRun::eventsPerSecond).toList());
            countsResult.put(ResultTables.WARM_UPS_KEY, warmUps);
            results.put("counts_only", countsResult);
            exact &= countsExact;
        }
        TallyConfig fullConfig = fullPipelineConfig();
        TallyConfig operators = operatorsConfig(JOURNEYS_YAML);
        TallyConfig journeysConfig = fullConfig.toBuilder().funnels(operators.funnels())
                .retention(operators.retention()).sessions(operators.sessions().orElseThrow()).build();
        long fullRate = 0;
        long journeysSustained = 0;
        if (scopes.contains(Scope.FULL)) {
            warmUpFullPipeline();
            Map<String, Object> fullResult = new LinkedHashMap<>();
            TopologyRun full = topologies.runTopology("full", topic, Scope.FULL, fullConfig,
                    truth.counted(), truth.days(),
                    keyspace -> checks.putExactness(fullResult, keyspace, truth));
            fullResult.putAll(full.summary(raw));
            results.put("full_pipeline", fullResult);
            exact &= full.exact();
            fullRate = full.eventsPerSecond();
            if (journeys) {
                Map<String, Object> journeysResult = new LinkedHashMap<>();
                TopologyRun withJourneys = topologies.runTopology("journeys", topic, Scope.FULL, journeysConfig,
                        truth.counted(), truth.days(),
                        keyspace -> checks.putExactness(journeysResult, keyspace, truth));
                journeysResult.putAll(withJourneys.summary(raw));
                journeysResult.put("events_per_s_vs_full_pipeline",
                        Math.round(withJourneys.eventsPerSecond() * 100.0 / Math.max(1, fullRate)) / 100.0);
                results.put(ResultTables.JOURNEYS_KEY, journeysResult);
                journeysSustained = withJourneys.eventsPerSecond();
                exact &= withJourneys.exact();
            }
        }

        if (freshnessSeconds > 0) {
            Map<String, Object> freshness = new LinkedHashMap<>();
            if (scopes.contains(Scope.COUNTS_ONLY)) {
                freshness.put("counts_only", topologies.freshness(Scope.COUNTS_ONLY, baseConfig(), freshnessRate, users,
                        Duration.ofSeconds(freshnessSeconds)));
            }
            if (scopes.contains(Scope.FULL)) {
                int rate = freshnessFullRate > 0 ? freshnessFullRate : keptUpRate(fullRate);
                freshness.put("full_pipeline", topologies.freshness(Scope.FULL, fullConfig, rate, users,
                        Duration.ofSeconds(freshnessSeconds)));
                if (journeys) {
                    int journeysRate = Math.min(rate, keptUpRate(journeysSustained));
                    freshness.put(ResultTables.JOURNEYS_KEY, topologies.freshness(Scope.FULL, journeysConfig,
                            journeysRate, users, Duration.ofSeconds(freshnessSeconds)));
                }
            }
            results.put("freshness", freshness);
        }
        // Last: Trident's in-memory map states stay on the heap after their topology is killed.
        if (inMemoryStates) {
            if (!scopes.contains(Scope.FULL)) {
                warmUpFullPipeline();
            }
            TopologyRun ceiling = topologies.runTopology("memory", topic, Scope.FULL, fullConfig, new InMemoryStates(),
                    truth.counted(), truth.days(),
                    keyspace -> checks.countsPerEvent(keyspace).equals(truth.countsPerEvent()));
            Map<String, Object> ceilingResult = new LinkedHashMap<>();
            ceilingResult.put("counts_exact", ceiling.exact());
            ceilingResult.putAll(ceiling.summary(raw));
            results.put(ResultTables.IN_MEMORY_KEY, ceilingResult);
            exact &= ceiling.exact();
        }
        ResultTables.printRun(results);
        return exact;
    }

    /**
     * Runs counts only over the measured topic, neither measured nor checked, until the JIT compilers of the worker
     * and the servers take less than 5% of a run's CPU, at most
     * {@value #MAX_WARM_UPS} times. Why more than once: much of the path runs once per batch (state commits,
     * Trident's coordination, Cassandra's request handling), a few hundred times a run, and reaches the optimizing
     * compiler only in later runs; in the third run the compilers still took a fifth of the CPU.
     *
     * @return each warm-up run's events/s and compiler share, for the JSON
     */
    private List<Map<String, Object>> warmUpCounts(String topic, BenchmarkWorkload.Truth truth)
            throws InterruptedException {
        List<Map<String, Object>> warmUps = new ArrayList<>();
        for (int run = 1; run <= MAX_WARM_UPS; run++) {
            TopologyRun warmUp = topologies.runTopology("warm-up", topic, Scope.COUNTS_ONLY, baseConfig(),
                    truth.accepted(), truth.days(), keyspace -> true);
            double compilers = warmUp.compilerShare();
            System.out.printf("Warm-up %d (%s): %,d events/s, JIT compilers %.0f%% of the CPU; not reported%n", run,
                    Scope.COUNTS_ONLY, warmUp.eventsPerSecond(), compilers * 100);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("events_per_s", warmUp.eventsPerSecond());
            result.put("jit_compiler_cpu_share", TopologyRunner.rounded(compilers));
            warmUps.add(result);
            if (compilers < SETTLED_COMPILER_SHARE) { // false for NaN: without figures, every warm-up runs
                break;
            }
        }
        return warmUps;
    }

    private static final double SETTLED_COMPILER_SHARE = 0.05;
    private static final int MAX_WARM_UPS = 8;

    /**
     * Runs the full pipeline once, neither measured nor checked, over a fifth as many records as the measured runs,
     * so that no JIT compiler is at work in them.
     */
    private void warmUpFullPipeline() throws Exception {
        String topic = "bench-warm-up";
        BenchmarkWorkload.Truth truth = produce(new BenchmarkWorkload(Math.max(1, events / 5), users,
                duplicatePercent, badPercent), topic);
        TopologyRun run = topologies.runTopology("warm-up", topic, Scope.FULL, fullPipelineConfig(), truth.counted(),
                truth.days(), keyspace -> true);
        System.out.printf("Warm-up (%s): %,d events/s, not reported%n", Scope.FULL, run.eventsPerSecond());
    }

    /** The full pipeline at 1×, 4× and 16× the users and 5× the records: how each cost grows. */
    private boolean growthCurve(Map<String, Object> results) throws Exception {
        record Point(String label, long events, int users) {
        }
        List<Point> points = List.of(new Point("base", events, users), new Point("4x users", events, users * 4),
                new Point("16x users", events, users * 16), new Point("5x events", events * 5, users));
        List<Map<String, Object>> curve = new ArrayList<>();
        boolean exact = true;
        warmUpFullPipeline(); // so that the first point does not pay the JIT's warm-up
        for (Point point : points) {
            BenchmarkWorkload workload = new BenchmarkWorkload(point.events(), point.users(), duplicatePercent,
                    badPercent);
            String topic = "bench-growth-" + curve.size();
            BenchmarkWorkload.Truth truth = produce(workload, topic);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("point", point.label());
            row.put("records", point.events());
            row.put("users", point.users());
            Map<String, Object> exactness = new LinkedHashMap<>();
            TopologyRun run = topologies.runTopology("growth", topic, Scope.FULL, fullPipelineConfig(),
                    truth.counted(), truth.days(),
                    keyspace -> checks.putExactness(exactness, keyspace, truth));
            row.putAll(run.summary(0));
            row.putAll(exactness);
            exact &= run.exact();
            curve.add(row);
            System.out.println(row);
        }
        results.put("growth", curve);
        ResultTables.printTable("Full pipeline cost growth", curve);
        return exact;
    }

    private BenchmarkWorkload.Truth produce(BenchmarkWorkload workload, String topic) throws Exception {
        String bootstrap = stack.kafka().bootstrapServers();
        KafkaTopics.create(bootstrap, topic, PARTITIONS);
        long start = System.nanoTime();
        long[] sent = {0};
        BenchmarkWorkload.Truth truth;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"), new ByteArraySerializer(), new ByteArraySerializer())) {
            AtomicLong failed = new AtomicLong();
            AtomicReference<Exception> firstFailure = new AtomicReference<>();
            truth = workload.generate(SEED + workload.users(), record -> producer.send(
                    new ProducerRecord<>(topic, (int) (sent[0]++ % PARTITIONS), null, record), (metadata, error) -> {
                        if (error != null) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, error);
                        }
                    }));
            producer.flush();
            if (failed.get() > 0) {
                // The truth would count records Kafka does not hold, and the run would wait for them for an hour.
                throw new IllegalStateException(String.format("%,d of %,d records were not written to %s: %s",
                        failed.get(), sent[0], topic, firstFailure.get()), firstFailure.get());
            }
        }
        System.out.printf("Produced %,d records to %s (%d bytes each on average) in %.1f s%n", sent[0], topic,
                truth.bytesPerRecord(), (System.nanoTime() - start) / 1e9);
        return truth;
    }

    private Map<String, Object> workloadSummary(BenchmarkWorkload.Truth truth) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("records", truth.records());
        summary.put("bytes_per_record", truth.bytesPerRecord());
        summary.put("users", users);
        summary.put("hours", BenchmarkWorkload.HOURS);
        summary.put("event_names", truth.countsPerEvent().size());
        summary.put("duplicates", truth.duplicates());
        summary.put("bad_records", truth.rejected());
        return summary;
    }

    /**
     * Reads the topic unmeasured until a pass's rate is within 5% of the one before (at most
     * {@value #MAX_RAW_WARM_UPS} passes): the JIT compiles the consumer and parser paths over more than one pass, and
     * a raw rate measured before it is done would make the target easier.
     */
    private void warmUpRawRead(String topic) throws IOException {
        double previous = rawReadAndParse(topic);
        for (int pass = 2; pass <= MAX_RAW_WARM_UPS; pass++) {
            double rate = rawReadAndParse(topic);
            boolean settled = Math.abs(rate - previous) <= RAW_SETTLED_CHANGE * previous;
            previous = rate;
            if (settled) {
                System.out.printf("Raw read warmed up after %d passes; the next %d are measured%n", pass, repeat);
                return;
            }
        }
        System.out.printf("Raw read still changing after %d passes; the next %d are measured%n", MAX_RAW_WARM_UPS,
                repeat);
    }

    private static final double RAW_SETTLED_CHANGE = 0.05;
    private static final int MAX_RAW_WARM_UPS = 6;

    /** A plain consumer reading every record of the topic and parsing each with Jackson; records per second. */
    private double rawReadAndParse(String topic) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100_000);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 32 * 1024 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = 0;
            long parsed = 0;
            long start = System.nanoTime();
            while (read < events) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    read++;
                    try {
                        mapper.readTree(record.value());
                        parsed++;
                    } catch (IOException malformed) {
                        // A bad record costs the parser as much as a good one; Tally rejects it.
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Raw read+parse: %,d records (%,d parsed) in %.2f s%n", read, parsed, seconds);
            return read / seconds;
        }
    }

    private TallyConfig baseConfig() {
        InetSocketAddress cassandra = stack.cassandra().contactPoint();
        TallyConfig.Builder config = TallyConfig.builder();
        if (keyedStateMemoryMb > 0) {
            config.keyedStateMemoryMb(keyedStateMemoryMb);
        }
        return config
                .batch(BatchSettings.builder().spoutParallelism(spoutParallelism).parallelism(parallelism)
                        .maxSpoutPending(maxSpoutPending).build())
                .kafka(KafkaSpoutSettings.builder(stack.kafka().bootstrapServers(), List.of("replaced")).build())
                .cassandra(CassandraSettings.builder()
                        .contactPoint(cassandra.getHostString() + ":" + cassandra.getPort())
                        .keyspace("replaced")
                        .build())
                .build();
    }

    private TallyConfig fullPipelineConfig() {
        TallyConfig base = baseConfig();
        TallyConfig operators = operatorsConfig(FULL_PIPELINE_YAML);
        return base.toBuilder().transforms(operators.transforms()).segments(operators.segments()).build();
    }

    /**
     * The sections an operator writes, parsed as {@code tally.yaml} is: a configuration must name its Kafka, so a
     * placeholder one is added; callers take only the sections they need and each run names its own topic.
     */
    private static TallyConfig operatorsConfig(String yaml) {
        return TallyConfigLoader.withEnvironment(Map.of())
                .parse("kafka: {bootstrap_servers: replaced, topics: [replaced]}\n" + yaml);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
