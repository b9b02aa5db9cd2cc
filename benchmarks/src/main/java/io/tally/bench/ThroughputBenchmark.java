package io.tally.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.local.LocalStack;
import io.tally.local.LocalStackConfig;
import io.tally.local.kafka.KafkaTopics;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.cassandra.CassandraStateMetrics;
import io.tally.state.cassandra.CassandraStateMetrics.Totals;
import io.tally.state.schema.SchemaApplier;
import io.tally.state.schema.TallyTables;
import io.tally.topology.StateWrapper;
import io.tally.topology.TallyTopology;
import io.tally.topology.TallyTopology.Scope;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Prints tables and writes the same numbers as JSON.
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

    @Option(names = "--growth", description = "Measure the full pipeline's cost growth instead: the run as given, "
            + "then 4x and 16x the users, then 5x the records.")
    boolean growth;

    @Mixin
    ResultsFile json = new ResultsFile("target/benchmark.json");

    private LocalStack stack;
    private CqlSession session;
    private ResourceUsage resources;
    private int runs;

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
            session = SessionRegistry.builder(CassandraSettings.builder()
                    .contactPoint(cassandra.getHostString() + ":" + cassandra.getPort()).keyspace("system").build())
                    .build();
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
                TopologyRun counts = runTopology("counts", topic, Scope.COUNTS_ONLY, baseConfig(),
                        truth.accepted(), truth.days(),
                        keyspace -> countsPerEvent(keyspace).equals(truth.countsPerEventWithDuplicates()));
                countsExact &= counts.exact();
                runs.add(counts);
            }
            runs.sort(java.util.Comparator.comparingLong(TopologyRun::eventsPerSecond));
            Map<String, Object> countsResult = new LinkedHashMap<>();
            countsResult.put("counts_exact", countsExact);
            countsResult.putAll(runs.get(runs.size() / 2).summary(raw));
            countsResult.put("events_per_s_runs", runs.stream().map(TopologyRun::eventsPerSecond).toList());
            countsResult.put(WARM_UPS_KEY, warmUps);
            results.put("counts_only", countsResult);
            exact &= countsExact;
        }
        TallyConfig fullConfig = fullPipelineConfig();
        TallyConfig operators = operatorsConfig(JOURNEYS_YAML);
        TallyConfig journeysConfig = fullConfig.toBuilder().funnels(operators.funnels())
                .retention(operators.retention()).sessions(operators.sessions().orElseThrow()).build();
        long fullRate = 0;
        if (scopes.contains(Scope.FULL)) {
            warmUpFullPipeline();
            Map<String, Object> fullResult = new LinkedHashMap<>();
            TopologyRun full = runTopology("full", topic, Scope.FULL, fullConfig,
                    truth.counted(), truth.days(),
                    keyspace -> putExactness(fullResult, keyspace, truth));
            fullResult.putAll(full.summary(raw));
            results.put("full_pipeline", fullResult);
            exact &= full.exact();
            fullRate = full.eventsPerSecond();
            if (journeys) {
                Map<String, Object> journeysResult = new LinkedHashMap<>();
                TopologyRun withJourneys = runTopology("journeys", topic, Scope.FULL, journeysConfig,
                        truth.counted(), truth.days(), keyspace -> putExactness(journeysResult, keyspace, truth));
                journeysResult.putAll(withJourneys.summary(raw));
                journeysResult.put("events_per_s_vs_full_pipeline",
                        Math.round(withJourneys.eventsPerSecond() * 100.0 / Math.max(1, fullRate)) / 100.0);
                results.put(JOURNEYS_KEY, journeysResult);
                exact &= withJourneys.exact();
            }
        }

        if (freshnessSeconds > 0) {
            Map<String, Object> freshness = new LinkedHashMap<>();
            if (scopes.contains(Scope.COUNTS_ONLY)) {
                freshness.put("counts_only", freshness(Scope.COUNTS_ONLY, baseConfig(), freshnessRate));
            }
            if (scopes.contains(Scope.FULL)) {
                // Offered above what it sustains, each event waits longer than the last: measure where it keeps up.
                int rate = freshnessFullRate > 0 ? freshnessFullRate
                        : (int) Math.min(freshnessRate, Math.max(500, fullRate / 2 / 500 * 500));
                freshness.put("full_pipeline", freshness(Scope.FULL, fullConfig, rate));
                if (journeys) {
                    freshness.put(JOURNEYS_KEY, freshness(Scope.FULL, journeysConfig, rate));
                }
            }
            results.put("freshness", freshness);
        }
        // Last: Trident's in-memory map states stay on the heap after their topology is killed.
        if (inMemoryStates) {
            if (!scopes.contains(Scope.FULL)) {
                warmUpFullPipeline();
            }
            TopologyRun ceiling = runTopology("memory", topic, Scope.FULL, fullConfig, new InMemoryStates(),
                    truth.counted(), truth.days(), keyspace -> countsPerEvent(keyspace).equals(truth.countsPerEvent()));
            Map<String, Object> ceilingResult = new LinkedHashMap<>();
            ceilingResult.put("counts_exact", ceiling.exact());
            ceilingResult.putAll(ceiling.summary(raw));
            results.put(IN_MEMORY_KEY, ceilingResult);
            exact &= ceiling.exact();
        }
        printRun(results);
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
            TopologyRun warmUp = runTopology("warm-up", topic, Scope.COUNTS_ONLY, baseConfig(), truth.accepted(),
                    truth.days(), keyspace -> true);
            double compilers = warmUp.compilerShare();
            System.out.printf("Warm-up %d (%s): %,d events/s, JIT compilers %.0f%% of the CPU; not reported%n", run,
                    Scope.COUNTS_ONLY, warmUp.eventsPerSecond(), compilers * 100);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("events_per_s", warmUp.eventsPerSecond());
            result.put("jit_compiler_cpu_share", rounded(compilers));
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
        TopologyRun run = runTopology("warm-up", topic, Scope.FULL, fullPipelineConfig(), truth.counted(),
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
            TopologyRun run = runTopology("growth", topic, Scope.FULL, fullPipelineConfig(),
                    truth.counted(), truth.days(),
                    keyspace -> putExactness(exactness, keyspace, truth));
            row.putAll(run.summary(0));
            row.putAll(exactness);
            exact &= run.exact();
            curve.add(row);
            System.out.println(row);
        }
        results.put("growth", curve);
        printTable("Full pipeline cost growth", curve);
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
        return TallyConfig.builder()
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

    /** {@code template} reading {@code topic} into a new keyspace whose schema is applied here. */
    private TallyConfig deployed(TallyConfig template, String name, String topic, String keyspace) {
        TallyConfig config = template.toBuilder()
                .name(name)
                .kafka(KafkaSpoutSettings.builder(stack.kafka().bootstrapServers(), List.of(topic)).build())
                .cassandra(CassandraSettings.builder()
                        .contactPoint(template.cassandra().contactPoints().get(0))
                        .keyspace(keyspace)
                        .build())
                .build();
        SchemaApplier.bundled().apply(session, keyspace, config.replication());
        return config;
    }

    /** One topology over {@code topic} into a fresh keyspace, from submit until every expected event is counted. */
    private TopologyRun runTopology(String purpose, String topic, Scope scope, TallyConfig template, long expected,
            List<LocalDate> days, ExactnessCheck check) throws InterruptedException {
        return runTopology(purpose, topic, scope, template, StateWrapper.NONE, expected, days, check);
    }

    private TopologyRun runTopology(String purpose, String topic, Scope scope, TallyConfig template,
            StateWrapper states, long expected, List<LocalDate> days, ExactnessCheck check)
            throws InterruptedException {
        String name = "bench-" + purpose + "-" + (++runs);
        String keyspace = name.replace('-', '_');
        TallyConfig config = deployed(template, name, topic, keyspace);
        if (!resources.awaitIdle(0.1, Duration.ofSeconds(30))) {
            System.out.printf("%s: a process was still busy after 30 s; measuring anyway%n", name);
        }
        Map<String, Totals> costBefore = CassandraStateMetrics.totalsByTable();
        stack.storm().submit(name, TallyTopology.stormConfig(config), TallyTopology.build(config, scope, states));
        try {
            TopologyRun run = awaitCounted(name, keyspace, scope, expected, days, costBefore);
            // Checked before the kill: the hourly total can be complete while another state still commits the batch.
            return run.checked(check.exact(keyspace));
        } finally {
            stack.storm().kill(name);
        }
    }

    /**
     * Reads the all-events hourly total of the workload's days after each committed batch; the rate runs from the
     * first committed batch to the last event counted, and the CPU and memory window covers the same span.
     */
    private TopologyRun awaitCounted(String name, String keyspace, Scope scope, long expected, List<LocalDate> days,
            Map<String, Totals> costBefore) throws InterruptedException {
        PreparedStatement allEvents = session.prepare("SELECT count FROM " + keyspace
                + ".event_counts_by_hour WHERE event = ? AND day IN ?");
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        long firstAt = 0;
        long countedAtFirst = 0;
        ResourceUsage.Window window = null;
        long commitsSeen = -1;
        while (System.nanoTime() < deadline) {
            // Cassandra is asked only after a batch commits: asking all the time cost it a tenth of a core.
            long commits = SpoutMetrics.totals().committedBatches();
            if (commits == commitsSeen) {
                Thread.sleep(5);
                continue;
            }
            commitsSeen = commits;
            long total = 0;
            for (Row row : session.execute(allEvents.bind(TallyTables.ALL_EVENTS, days))) {
                total += row.getLong(0);
            }
            long now = System.nanoTime();
            if (total > 0 && window == null) {
                window = resources.open();
                firstAt = now;
                countedAtFirst = total;
            }
            if (total >= expected) {
                window.close();
                TopologyRun run = new TopologyRun(name, keyspace, scope, expected, countedAtFirst,
                        Math.max(1e-3, (now - firstAt) / 1e9), window, costSince(costBefore), false);
                System.out.printf("%s: %,d events counted, %,d events/s%n", name, expected, run.eventsPerSecond());
                return run;
            }
        }
        if (window != null) {
            window.close();
        }
        throw new IllegalStateException(name + " did not count every event within the hour");
    }

    /** Compares a keyspace's tables with the truth, puts what it found into the results, and says if all matched. */
    @FunctionalInterface
    private interface ExactnessCheck {
        boolean exact(String keyspace) throws InterruptedException;
    }

    private record TopologyRun(String name, String keyspace, Scope scope, long events, long countedAtFirst,
            double seconds, ResourceUsage.Window resources, Map<String, Totals> costByTable,
            boolean exact) {

        TopologyRun checked(boolean exact) {
            return new TopologyRun(name, keyspace, scope, events, countedAtFirst, seconds, resources, costByTable,
                    exact);
        }

        long eventsPerSecond() {
            return Math.round((events - countedAtFirst) / seconds);
        }

        Totals cost() {
            return costByTable.values().stream().reduce(Totals.NONE, Totals::plus);
        }

        /**
         * The JIT compiler threads' share of the CPU all processes used in the run; NaN without per-thread figures
         * (no /proc). A compiler thread HotSpot stopped within the run is not counted, so this can understate.
         */
        double compilerShare() {
            long total = resources.cpu().values().stream().mapToLong(Duration::toNanos).sum();
            Map<String, Map<String, Duration>> threads = resources.cpuByThreadGroup();
            if (total == 0 || threads.values().stream().allMatch(Map::isEmpty)) {
                return Double.NaN;
            }
            long compilers = threads.values().stream()
                    .flatMap(groups -> groups.entrySet().stream())
                    .filter(group -> group.getKey().contains("CompilerThre"))
                    .mapToLong(group -> group.getValue().toNanos())
                    .sum();
            return (double) compilers / total;
        }

        Map<String, Object> summary(double rawRate) {
            long measured = Math.max(1, events - countedAtFirst);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("events_counted", events);
            summary.put("events_per_s", eventsPerSecond());
            if (rawRate > 0) {
                summary.put("vs_raw", Math.round(eventsPerSecond() / rawRate * 100) / 100.0);
            }
            Map<String, Duration> cpu = resources.cpu();
            long totalCpuNanos = cpu.values().stream().mapToLong(Duration::toNanos).sum();
            summary.put("cpu_us_per_event_worker", Math.round(cpu.get("worker").toNanos() / 1e3 / measured * 10) / 10.0);
            summary.put("cpu_us_per_event_kafka", Math.round(cpu.get("kafka").toNanos() / 1e3 / measured * 10) / 10.0);
            summary.put("cpu_us_per_event_cassandra",
                    Math.round(cpu.get("cassandra").toNanos() / 1e3 / measured * 10) / 10.0);
            summary.put("cpu_us_per_event_total", Math.round(totalCpuNanos / 1e3 / measured * 10) / 10.0);
            summary.put("jit_compiler_cpu_share", rounded(compilerShare()));
            summary.put("worker_peak_heap_used_mb", resources.peakHeapUsedBytes() >> 20);
            summary.put("worker_peak_resident_mb", resources.peakResidentBytes() >> 20);
            // Rows and requests over the whole run, from submit: every event's cost is in them.
            Totals cost = cost();
            summary.put("cassandra_rows_read_per_1000", perThousand(cost.rowsRead(), events));
            summary.put("cassandra_rows_written_per_1000", perThousand(cost.rowsWritten(), events));
            summary.put("cassandra_read_requests_per_1000", perThousand(cost.readRequests(), events));
            summary.put("cassandra_write_requests_per_1000", perThousand(cost.writeRequests(), events));
            summary.put("failed_state_calls", cost.failedCalls());
            summary.put(THREADS_KEY, threadGroups(resources.cpuByThreadGroup(), measured));
            summary.put(TABLES_KEY, rowsByTable(costByTable, events));
            return summary;
        }
    }

    /** What the state library did per table since {@code before} was taken. */
    private static Map<String, Totals> costSince(Map<String, Totals> before) {
        Map<String, Totals> cost = new TreeMap<>();
        CassandraStateMetrics.totalsByTable().forEach((table, after) -> cost.put(table,
                after.minus(before.getOrDefault(table, Totals.NONE))));
        return cost;
    }

    /** Per table it touched, "rows read / rows written" per 1,000 events. */
    private static Map<String, String> rowsByTable(Map<String, Totals> costByTable, long events) {
        Map<String, String> rowsByTable = new LinkedHashMap<>();
        costByTable.forEach((table, rows) -> {
            if (rows.rowsRead() + rows.rowsWritten() > 0) {
                rowsByTable.put(table, perThousand(rows.rowsRead(), events) + " / "
                        + perThousand(rows.rowsWritten(), events));
            }
        });
        return rowsByTable;
    }

    /** Where a run's CPU went, in the JSON and after the table; not a table row. */
    private static final String THREADS_KEY = "cpu_us_per_event_by_thread_group";
    /** Per table, Cassandra rows read / written per 1,000 events; in the JSON and after the table. */
    private static final String TABLES_KEY = "cassandra_rows_read_written_per_1000_by_table";
    /** The full pipeline with its states in memory ({@code --in-memory-states}), in the JSON and the table. */
    private static final String IN_MEMORY_KEY = "full_pipeline_states_in_memory";
    private static final String JOURNEYS_KEY = "full_pipeline_with_journeys";
    /** The warm-up runs before the measured ones, in the JSON; printed as they end, not in the table. */
    private static final String WARM_UPS_KEY = "warm_up_runs";

    /** Per process, its thread groups' CPU µs per event, largest first, leaving out those under 0.05 µs. */
    private static Map<String, Map<String, Double>> threadGroups(Map<String, Map<String, Duration>> cpu, long events) {
        Map<String, Map<String, Double>> perEvent = new LinkedHashMap<>();
        cpu.forEach((process, groups) -> {
            Map<String, Double> sorted = new LinkedHashMap<>();
            groups.entrySet().stream()
                    .sorted(Map.Entry.<String, Duration>comparingByValue().reversed())
                    .map(group -> Map.entry(group.getKey(),
                            Math.round(group.getValue().toNanos() / 1e3 / events * 10) / 10.0))
                    .filter(group -> group.getValue() >= 0.05)
                    .forEach(group -> sorted.put(group.getKey(), group.getValue()));
            perEvent.put(process, sorted);
        });
        return perEvent;
    }

    private Map<String, Object> freshness(Scope scope, TallyConfig template, int rate) throws InterruptedException {
        String name = "bench-fresh-" + (++runs);
        String keyspace = name.replace('-', '_');
        String topic = name + "-events";
        KafkaTopics.create(stack.kafka().bootstrapServers(), topic, PARTITIONS);
        TallyConfig config = deployed(template, name, topic, keyspace);
        Map<String, Totals> costBefore = CassandraStateMetrics.totalsByTable();
        stack.storm().submit(name, TallyTopology.stormConfig(config), TallyTopology.build(config, scope));
        try {
            Freshness.Result result = Freshness.measure(stack.kafka().bootstrapServers(), topic, PARTITIONS, session,
                    keyspace, rate, users, Duration.ofSeconds(10), Duration.ofSeconds(freshnessSeconds),
                    Duration.ofMinutes(2));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("offered_events_per_s", result.offeredPerSecond());
            summary.put("events_measured", result.measured());
            summary.put("p50_ms", result.p50Millis());
            summary.put("p99_ms", result.p99Millis());
            summary.put("max_ms", result.maxMillis());
            summary.put("kept_up", result.visibleWithin());
            // Live events touch the last minutes' count rows only: what production traffic costs Cassandra.
            // Tables written behind count only the flushes within the run.
            Map<String, Totals> cost = costSince(costBefore);
            Totals total = cost.values().stream().reduce(Totals.NONE, Totals::plus);
            summary.put("cassandra_rows_read_per_1000", perThousand(total.rowsRead(), result.produced()));
            summary.put("cassandra_rows_written_per_1000", perThousand(total.rowsWritten(), result.produced()));
            summary.put(TABLES_KEY, rowsByTable(cost, result.produced()));
            System.out.printf("%s (%s): %s%n", name, scope, summary);
            return summary;
        } finally {
            stack.storm().kill(name);
        }
    }

    /** Every hourly count summed per event, the all-events total ({@value TallyTables#ALL_EVENTS}) among them. */
    private Map<String, Long> hourlyCountsPerEvent(String keyspace) {
        Map<String, Long> counts = new HashMap<>();
        for (Row row : session.execute("SELECT event, count FROM " + keyspace + ".event_counts_by_hour")) {
            counts.merge(row.getString(0), row.getLong(1), Long::sum);
        }
        return counts;
    }

    private Map<String, Long> countsPerEvent(String keyspace) {
        Map<String, Long> counts = hourlyCountsPerEvent(keyspace);
        counts.remove(TallyTables.ALL_EVENTS);
        return counts;
    }

    /**
     * Counts per event, daily active users and rejected records against the truth; true if all are exact. The hourly
     * counts reaching the total does not mean every other state has committed the last batch, so a difference is
     * looked at again for a while before it is reported.
     */
    private boolean putExactness(Map<String, Object> result, String keyspace, BenchmarkWorkload.Truth truth)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!compare(result, keyspace, truth) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        return compare(result, keyspace, truth);
    }

    private boolean compare(Map<String, Object> result, String keyspace, BenchmarkWorkload.Truth truth) {
        boolean counts = countsPerEvent(keyspace).equals(truth.countsPerEvent());
        Map<LocalDate, Long> activeUsers = new HashMap<>();
        for (Row row : session.execute("SELECT event, day, users FROM " + keyspace + ".unique_users_by_day")) {
            if (TallyTables.ALL_EVENTS.equals(row.getString(0))) {
                activeUsers.put(row.getLocalDate(1), row.getLong(2));
            }
        }
        boolean users = activeUsers.equals(truth.activeUsersPerDay());
        long rejected = 0;
        for (Row row : session.execute("SELECT count FROM " + keyspace + ".rejected_counts_by_hour")) {
            rejected += row.getLong(0);
        }
        boolean rejects = rejected == truth.rejected();
        result.put("counts_exact", counts);
        result.put("daily_active_users_exact", users);
        result.put("rejected_exact", rejects);
        return counts && users && rejects;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** A share to two decimals; null when unknown (NaN). */
    private static Double rounded(double share) {
        return Double.isNaN(share) ? null : Math.round(share * 100) / 100.0;
    }

    private static double perThousand(long amount, long events) {
        return Math.round(amount * 1000.0 / Math.max(1, events) * 10) / 10.0;
    }

    @SuppressWarnings("unchecked")
    private static void printRun(Map<String, Object> results) {
        // Column heading by result key; freshness results use the same keys.
        Map<String, String> headings = new LinkedHashMap<>();
        headings.put("counts_only", "counts only");
        headings.put("full_pipeline", "full pipeline");
        if (results.containsKey(JOURNEYS_KEY)) {
            headings.put(JOURNEYS_KEY, "full + 4 funnels, 2 retention, sessions");
        }
        if (results.containsKey(IN_MEMORY_KEY)) {
            headings.put(IN_MEMORY_KEY, "full, states in memory");
        }
        Map<String, Map<String, Object>> freshness =
                (Map<String, Map<String, Object>>) results.getOrDefault("freshness", Map.of());
        List<Map<String, Object>> runs = new ArrayList<>();
        List<Map<String, Object>> runsFreshness = new ArrayList<>();
        headings.keySet().forEach(key -> {
            runs.add((Map<String, Object>) results.getOrDefault(key, Map.of()));
            runsFreshness.add(freshness.getOrDefault(key, Map.of()));
        });
        System.out.println();
        System.out.println("| measure | " + String.join(" | ", headings.values()) + " |");
        System.out.println("|---|" + "---|".repeat(headings.size()));
        System.out.printf("| raw read+parse, records/s | %s |%s%n", format(results.get("raw_read_parse_events_per_s")),
                " |".repeat(headings.size() - 1));
        printRows("", runs);
        printRows("freshness ", runsFreshness);
        System.out.println();
        Iterator<String> names = headings.values().iterator();
        Iterator<Map<String, Object>> freshRuns = runsFreshness.iterator();
        for (Map<String, Object> run : runs) {
            String name = names.next();
            Map<String, Object> fresh = freshRuns.next();
            if (run.containsKey(THREADS_KEY)) {
                System.out.println(name + ", CPU µs per event by thread group: " + run.get(THREADS_KEY));
                System.out.println(name + ", Cassandra rows read / written per 1,000 events by table: "
                        + run.get(TABLES_KEY));
            }
            if (fresh.containsKey(TABLES_KEY)) {
                System.out.println(name + ", live events at the freshness rate, Cassandra rows read / written per"
                        + " 1,000 events by table: " + fresh.get(TABLES_KEY));
            }
        }
        System.out.println("workload: " + results.get("workload"));
    }

    /** One table row per key of any of the runs (the detail keys left out), one cell per run. */
    private static void printRows(String prefix, List<Map<String, Object>> runs) {
        List<String> keys = new ArrayList<>();
        runs.forEach(run -> run.keySet().stream().filter(key -> !keys.contains(key)).forEach(keys::add));
        keys.removeAll(List.of(THREADS_KEY, TABLES_KEY, WARM_UPS_KEY));
        for (String key : keys) {
            List<String> cells = runs.stream().map(run -> format(run.getOrDefault(key, ""))).toList();
            System.out.println("| " + prefix + key + " | " + String.join(" | ", cells) + " |");
        }
    }

    private static void printTable(String title, List<Map<String, Object>> rows) {
        System.out.println();
        System.out.println(title);
        List<String> columns = new ArrayList<>(rows.get(0).keySet());
        System.out.println("| " + String.join(" | ", columns) + " |");
        System.out.println("|" + "---|".repeat(columns.size()));
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            columns.forEach(column -> cells.add(format(row.get(column))));
            System.out.println("| " + String.join(" | ", cells) + " |");
        }
        System.out.println();
    }

    private static String format(Object value) {
        return value instanceof Long || value instanceof Integer ? String.format("%,d", ((Number) value).longValue())
                : String.valueOf(value);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
