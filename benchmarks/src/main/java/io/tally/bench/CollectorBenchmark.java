package io.tally.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.local.kafka.KafkaTopics;
import io.tally.local.server.CollectorProcess;
import io.tally.local.server.KafkaServer;
import io.tally.local.server.KafkaServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The HTTP collector ({@code tally-collector}, in a JVM of its own, as deployed) with a real Kafka broker co-located,
 * driven through {@code POST /v1/batch} by {@code java.net.http} clients on keep-alive connections, each request a
 * batch of Segment track calls. In one run:
 *
 * <ul>
 *   <li><b>throughput</b>: several connections each sending its next batch as soon as the last is answered; events
 *       per second answered 200, request latency, and the CPU time per event of the collector's JVM and of Kafka's
 *       (and of this client, which shares the machine);
 *   <li><b>latency at a fixed rate</b> (default 20,000 events/s): the same connections, each sending on a fixed
 *       schedule; latency counts from when a request was due, so a slow answer delays the next request's clock
 *       too (no coordinated omission);
 *   <li><b>overload</b>: a multiple (default 2×) of the measured throughput offered open-loop on many connections;
 *       what is answered 200 or 503, and the collector's heap (from its {@code /metrics}) and resident memory,
 *       sampled throughout, against its {@code -Xmx};
 *   <li><b>nothing lost</b>: the topic's records against the events answered 200.
 * </ul>
 *
 * Prints a table and writes the numbers as JSON.
 */
@Command(name = "tally-collector-benchmark", mixinStandardHelpOptions = true,
        description = "Events/s, latency, CPU and heap of the HTTP collector, with Kafka on the same machine.")
public final class CollectorBenchmark implements Callable<Integer> {
    private static final String WRITE_KEY = "bench-write-key";
    private static final String TOPIC = "collector-bench";
    private static final int PARTITIONS = 4;
    private static final int DISTINCT_BODIES = 1_000;
    private static final String[] EVENTS = {"Order Completed", "Product Viewed", "Product Added", "Signed In",
        "Song Played", "Products Searched"};

    @Option(names = "--connections", defaultValue = "8",
            description = "Client connections for the throughput and latency phases (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--batch-events", defaultValue = "100",
            description = "Events per /v1/batch request (default: ${DEFAULT-VALUE}).")
    int batchEvents;

    @Option(names = "--seconds", defaultValue = "30", description = "Length of each measured phase (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "20",
            description = "Unmeasured load first, for the JIT compilers (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--latency-rate", defaultValue = "20000",
            description = "Events per second offered in the latency phase (default: ${DEFAULT-VALUE}).")
    int latencyRate;

    @Option(names = "--overload-factor", defaultValue = "2",
            description = "The overload phase offers this multiple of the measured throughput (default: ${DEFAULT-VALUE}).")
    double overloadFactor;

    @Option(names = "--overload-connections", defaultValue = "256",
            description = "Requests (and so connections) in flight at most during overload (default: ${DEFAULT-VALUE}).")
    int overloadConnections;

    @Option(names = "--collector-heap", defaultValue = "512m",
            description = "The collector JVM's -Xms and -Xmx (default: ${DEFAULT-VALUE}).")
    String collectorHeap;

    @Option(names = "--collector-jvm-option", paramLabel = "OPTION",
            description = "A further option of the collector's JVM, e.g. -XX:StartFlightRecording=filename=c.jfr; repeatable.")
    List<String> collectorJvmOptions = new ArrayList<>();

    @Mixin
    ResultsFile json = new ResultsFile("target/collector-benchmark.json");

    private final ObjectMapper mapper = new ObjectMapper();
    private HttpClient http;
    private List<byte[]> bodies;
    private String url;
    private String authorization;
    /** Events answered 200 in every phase, warm-up included: the topic must hold exactly these. */
    private final AtomicLong acceptedEvents = new AtomicLong();
    /** Requests whose answer never came (the client's timeout or an I/O error): their events may be in Kafka. */
    private final AtomicLong unansweredEvents = new AtomicLong();

    public static void main(String[] args) {
        System.exit(new CommandLine(new CollectorBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("tally-collector-bench-");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("started", Instant.now().toString());
        results.put("cores", Runtime.getRuntime().availableProcessors());
        results.put("load_average_before", loadAverage());
        results.put("batch_events", batchEvents);
        results.put("connections", connections);
        results.put("collector_heap", collectorHeap);
        boolean exact;
        try (KafkaServer kafka = KafkaServer.start(KafkaServerConfig.builder(dir.resolve("kafka")).port(0)
                .controllerPort(0).build())) {
            KafkaTopics.create(kafka.bootstrapServers(), TOPIC, PARTITIONS);
            Path config = dir.resolve("tally.yaml");
            Files.writeString(config, String.join("\n",
                    "kafka:",
                    "  bootstrap_servers: " + kafka.bootstrapServers(),
                    "  topics: [" + TOPIC + "]",
                    "collector:",
                    "  sources:",
                    "    - {name: bench, write_key: \"${BENCH_WRITE_KEY}\"}",
                    ""));
            List<String> jvmOptions = new ArrayList<>(List.of("-Xms" + collectorHeap, "-Xmx" + collectorHeap));
            jvmOptions.addAll(collectorJvmOptions);
            results.put("collector_jvm_options", jvmOptions);
            try (CollectorProcess collector = CollectorProcess.start(config, 0, jvmOptions,
                    dir.resolve("logs").resolve("collector.log"), Map.of("BENCH_WRITE_KEY", WRITE_KEY))) {
                url = collector.url();
                authorization = "Basic " + Base64.getEncoder().encodeToString((WRITE_KEY + ":")
                        .getBytes(StandardCharsets.UTF_8));
                http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                bodies = bodies(batchEvents);
                results.put("body_bytes_mean", bodies.stream().mapToInt(b -> b.length).average().orElse(0));
                ResourceUsage resources = new ResourceUsage(Map.of("collector", collector.pid(), "kafka", kafka.pid(),
                        "client", ProcessHandle.current().pid()));

                System.out.printf("Collector pid %d (-Xmx%s), Kafka pid %d; %d-event batches of %,.0f bytes%n",
                        collector.pid(), collectorHeap, kafka.pid(), batchEvents, results.get("body_bytes_mean"));
                closedLoop(connections, warmupSeconds, null);
                resources.awaitIdle(0.2, Duration.ofSeconds(30));
                Phase max = closedLoop(connections, seconds, resources);
                print("throughput", max);
                results.put("throughput", max.toMap());

                resources.awaitIdle(0.2, Duration.ofSeconds(30));
                Phase paced = paced(connections, latencyRate / (double) batchEvents, seconds, resources);
                print("latency at " + latencyRate + " events/s", paced);
                results.put("latency_at_rate", paced.toMap());

                resources.awaitIdle(0.2, Duration.ofSeconds(30));
                double overloadRequestsPerSecond = overloadFactor * max.eventsPerSecond() / batchEvents;
                HeapSampler heap = new HeapSampler(collector.pid());
                Map<String, Object> heapBefore = heap.sampleNow();
                heap.start();
                Phase overload = openLoop(overloadRequestsPerSecond, overloadConnections, seconds, resources);
                heap.stop();
                print("overload, " + overloadFactor + "x", overload);
                Map<String, Object> overloadResults = overload.toMap();
                overloadResults.put("heap_before", heapBefore);
                overloadResults.put("heap", heap.summary());
                overloadResults.put("collector_alive_after", collector.isAlive());
                results.put("overload", overloadResults);
                results.put("collector_refusals", refusals());
                System.out.printf("  collector heap: max %s MB; used (sampled every %d ms, garbage included) peak %s MB;"
                        + " old generation peak %s MB; resident peak %s MB; alive after: %s%n",
                        heap.summary().get("max_mb"), HeapSampler.INTERVAL_MS, heap.summary().get("peak_used_mb"),
                        heap.summary().get("peak_old_gen_mb"), heap.summary().get("peak_resident_mb"),
                        collector.isAlive());
            }
            long inKafka = topicRecords(kafka.bootstrapServers());
            exact = inKafka >= acceptedEvents.get() && inKafka <= acceptedEvents.get() + unansweredEvents.get();
            results.put("events_answered_200", acceptedEvents.get());
            results.put("events_unanswered", unansweredEvents.get());
            results.put("records_in_kafka", inKafka);
            results.put("nothing_lost", inKafka >= acceptedEvents.get());
            System.out.printf("Kafka holds %,d records; %,d events were answered 200, %,d got no answer: %s%n", inKafka,
                    acceptedEvents.get(), unansweredEvents.get(), exact ? "as expected" : "MISMATCH");
        } finally {
            results.put("load_average_after", loadAverage());
            deleteRecursively(dir);
        }
        json.write(results);
        return exact ? 0 : 1;
    }

    /** What one phase saw: answers by status, events answered 200, latencies, and CPU per process. */
    private final class Phase {
        final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        final LongAdder events = new LongAdder();
        final LongAdder notSent = new LongAdder();
        final List<Long> latenciesNanos = java.util.Collections.synchronizedList(new ArrayList<>());
        double offeredRequestsPerSecond;
        long elapsedNanos;
        Map<String, Duration> cpu = Map.of();

        void answered(int status, long latencyNanos) {
            statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
            latenciesNanos.add(latencyNanos);
            if (status == 200) {
                events.add(batchEvents);
                acceptedEvents.addAndGet(batchEvents);
            }
        }

        void failed(long latencyNanos) {
            statuses.computeIfAbsent(-1, s -> new LongAdder()).increment();
            latenciesNanos.add(latencyNanos);
            unansweredEvents.addAndGet(batchEvents);
        }

        double eventsPerSecond() {
            return events.sum() / (elapsedNanos / 1e9);
        }

        /** Events of the requests actually sent (those due while the client's cap was reached were not). */
        double sentEventsPerSecond() {
            long sent = statuses.values().stream().mapToLong(LongAdder::sum).sum();
            return sent * (double) batchEvents / (elapsedNanos / 1e9);
        }

        double percentileMillis(double p) {
            long[] sorted;
            synchronized (latenciesNanos) {
                sorted = latenciesNanos.stream().mapToLong(Long::longValue).sorted().toArray();
            }
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }

        double cpuMicrosPerEvent(String process) {
            Duration spent = cpu.get(process);
            return spent == null || events.sum() == 0 ? Double.NaN : spent.toNanos() / 1e3 / events.sum();
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("seconds", elapsedNanos / 1e9);
            if (offeredRequestsPerSecond > 0) {
                map.put("offered_events_per_second", offeredRequestsPerSecond * batchEvents);
                map.put("sent_events_per_second", sentEventsPerSecond());
                map.put("requests_not_sent_client_cap", notSent.sum());
            }
            map.put("events_per_second_200", eventsPerSecond());
            Map<String, Long> byStatus = new java.util.TreeMap<>();
            statuses.forEach((status, count) -> byStatus.put(status == -1 ? "no answer" : status.toString(), count.sum()));
            map.put("requests_by_status", byStatus);
            map.put("latency_ms", Map.of("p50", percentileMillis(50), "p90", percentileMillis(90), "p99",
                    percentileMillis(99), "max", percentileMillis(100)));
            Map<String, Object> cpuMap = new LinkedHashMap<>();
            cpu.forEach((process, spent) -> cpuMap.put(process, Map.of("cpu_ms", spent.toMillis(),
                    "us_per_event", cpuMicrosPerEvent(process))));
            map.put("cpu", cpuMap);
            return map;
        }
    }

    private void print(String name, Phase phase) {
        String statuses = phase.statuses.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> (e.getKey() == -1 ? "no answer" : e.getKey()) + ": " + e.getValue().sum())
                .collect(Collectors.joining(", "));
        System.out.printf("%s: %,.0f events/s answered 200 over %.1f s%s (requests %s)%n", name,
                phase.eventsPerSecond(), phase.elapsedNanos / 1e9, phase.offeredRequestsPerSecond > 0
                        ? String.format(", %,.0f offered, %,.0f sent", phase.offeredRequestsPerSecond * batchEvents,
                                phase.sentEventsPerSecond()) : "", statuses);
        System.out.printf("  latency ms: p50 %.1f, p90 %.1f, p99 %.1f, max %.1f%n", phase.percentileMillis(50),
                phase.percentileMillis(90), phase.percentileMillis(99), phase.percentileMillis(100));
        if (!phase.cpu.isEmpty()) {
            System.out.printf("  CPU µs per event: collector %.2f, Kafka %.2f, this client %.2f%n",
                    phase.cpuMicrosPerEvent("collector"), phase.cpuMicrosPerEvent("kafka"),
                    phase.cpuMicrosPerEvent("client"));
        }
    }

    /** {@code threads} connections, each sending its next request as soon as the last is answered. */
    private Phase closedLoop(int threads, int phaseSeconds, ResourceUsage resources) throws InterruptedException {
        Phase phase = new Phase();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(phaseSeconds);
        ResourceUsage.Window window = resources == null ? null : resources.open();
        long start = System.nanoTime();
        runOnThreads(threads, k -> {
            int next = k * 97;
            while (System.nanoTime() < deadline) {
                send(phase, next++, System.nanoTime());
            }
        });
        phase.elapsedNanos = System.nanoTime() - start;
        closeInto(window, phase);
        return phase;
    }

    /**
     * {@code threads} connections sending {@code requestsPerSecond} in all on a fixed schedule; a request's latency
     * counts from when it was due.
     */
    private Phase paced(int threads, double requestsPerSecond, int phaseSeconds, ResourceUsage resources)
            throws InterruptedException {
        Phase phase = new Phase();
        phase.offeredRequestsPerSecond = requestsPerSecond;
        long intervalNanos = (long) (1e9 / requestsPerSecond);
        long total = (long) (requestsPerSecond * phaseSeconds);
        ResourceUsage.Window window = resources.open();
        long start = System.nanoTime();
        runOnThreads(threads, k -> {
            for (long i = k; i < total; i += threads) {
                long due = start + i * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    sleepNanos(wait);
                }
                send(phase, (int) i, due);
            }
        });
        phase.elapsedNanos = System.nanoTime() - start;
        closeInto(window, phase);
        return phase;
    }

    /**
     * {@code requestsPerSecond} sent on schedule whatever the answers, at most {@code maxInFlight} at once (each on a
     * connection of its own); a request due while that many are out is counted as not sent.
     */
    private Phase openLoop(double requestsPerSecond, int maxInFlight, int phaseSeconds, ResourceUsage resources)
            throws InterruptedException {
        Phase phase = new Phase();
        phase.offeredRequestsPerSecond = requestsPerSecond;
        long intervalNanos = (long) (1e9 / requestsPerSecond);
        long total = (long) (requestsPerSecond * phaseSeconds);
        Semaphore inFlight = new Semaphore(maxInFlight);
        ResourceUsage.Window window = resources.open();
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            }
            if (!inFlight.tryAcquire()) {
                phase.notSent.increment();
                continue;
            }
            http.sendAsync(request((int) i), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                inFlight.release();
                if (error != null) {
                    phase.failed(System.nanoTime() - due);
                } else {
                    phase.answered(response.statusCode(), System.nanoTime() - due);
                }
            });
        }
        inFlight.acquire(maxInFlight); // every answer in
        inFlight.release(maxInFlight);
        phase.elapsedNanos = System.nanoTime() - start;
        closeInto(window, phase);
        return phase;
    }

    private void send(Phase phase, int index, long dueNanos) {
        try {
            HttpResponse<Void> response = http.send(request(index), HttpResponse.BodyHandlers.discarding());
            phase.answered(response.statusCode(), System.nanoTime() - dueNanos);
        } catch (IOException e) {
            phase.failed(System.nanoTime() - dueNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpRequest request(int index) {
        return HttpRequest.newBuilder(URI.create(url + "/v1/batch"))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(Math.floorMod(index, bodies.size()))))
                .build();
    }

    private static void closeInto(ResourceUsage.Window window, Phase phase) {
        if (window != null) {
            window.close();
            phase.cpu = window.cpu();
        }
    }

    private interface ThreadBody {
        void run(int k) throws Exception;
    }

    private static void runOnThreads(int threads, ThreadBody body) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(threads);
        for (int k = 0; k < threads; k++) {
            int index = k;
            Thread thread = new Thread(() -> {
                try {
                    body.run(index);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    done.countDown();
                }
            }, "bench-client-" + k);
            thread.setDaemon(true);
            thread.start();
        }
        done.await();
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Request bodies, made once: batches of track calls as analytics-java sends them (a UUID messageId, a
     * timestamp, four properties, the library in the batch's context), from 100,000 users.
     */
    private static List<byte[]> bodies(int events) {
        Random random = new Random(7);
        Instant now = Instant.now();
        List<byte[]> bodies = new ArrayList<>(DISTINCT_BODIES);
        for (int b = 0; b < DISTINCT_BODIES; b++) {
            StringBuilder body = new StringBuilder(events * 330).append("{\"batch\":[");
            for (int i = 0; i < events; i++) {
                body.append(i == 0 ? "" : ",")
                        .append("{\"type\":\"track\",\"event\":\"").append(EVENTS[random.nextInt(EVENTS.length)])
                        .append("\",\"userId\":\"user-").append(random.nextInt(100_000))
                        .append("\",\"messageId\":\"").append(new UUID(random.nextLong(), random.nextLong()))
                        .append("\",\"timestamp\":\"").append(now.minusMillis(random.nextInt(3_600_000)))
                        .append("\",\"properties\":{\"product_id\":\"p-").append(random.nextInt(5_000))
                        .append("\",\"price\":").append(random.nextInt(20_000) / 100.0)
                        .append(",\"currency\":\"EUR\",\"plan\":\"").append(random.nextBoolean() ? "pro" : "free")
                        .append("\"},\"integrations\":{}}");
            }
            body.append("],\"sentAt\":\"").append(now).append("\",\"context\":{\"library\":{\"name\":\"analytics-java\","
                    + "\"version\":\"3.5.4\"},\"instanceId\":\"").append(new UUID(random.nextLong(), random.nextLong()))
                    .append("\"},\"sequence\":").append(b).append('}');
            bodies.add(body.toString().getBytes(StandardCharsets.UTF_8));
        }
        return bodies;
    }

    /** The collector's heap from its /metrics and its resident memory from /proc, sampled on a thread of its own. */
    private final class HeapSampler {
        static final long INTERVAL_MS = 100;
        private final long pid;
        private final Thread thread;
        private volatile boolean running = true;
        private long peakUsed;
        private long peakOldGen;
        private long peakResident;
        private long max;
        private int samples;

        HeapSampler(long pid) {
            this.pid = pid;
            this.thread = new Thread(() -> {
                while (running) {
                    sampleNow();
                    sleepNanos(TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS));
                }
            }, "bench-heap-sampler");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        synchronized Map<String, Object> sampleNow() {
            Map<String, Object> sample = new LinkedHashMap<>();
            try {
                String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                long used = sum(metrics, "jvm_memory_used_bytes{area=\"heap\"");
                long oldGen = sum(metrics, "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"");
                max = sum(metrics, "jvm_memory_max_bytes{area=\"heap\"");
                peakUsed = Math.max(peakUsed, used);
                peakOldGen = Math.max(peakOldGen, oldGen);
                samples++;
                sample.put("used_mb", used >> 20);
                sample.put("old_gen_mb", oldGen >> 20);
            } catch (IOException e) {
                sample.put("error", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long resident = residentBytes(pid);
            peakResident = Math.max(peakResident, resident);
            sample.put("resident_mb", resident >> 20);
            return sample;
        }

        synchronized Map<String, Object> summary() {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("max_mb", max >> 20);
            summary.put("peak_used_mb", peakUsed >> 20);
            summary.put("peak_old_gen_mb", peakOldGen >> 20);
            summary.put("peak_resident_mb", peakResident >> 20);
            summary.put("samples", samples);
            return summary;
        }

        /** The sum of the metric lines starting with {@code prefix} (one per memory pool). */
        private static long sum(String metrics, String prefix) {
            return metrics.lines().filter(line -> line.startsWith(prefix))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .filter(value -> value > 0).sum();
        }
    }

    /** The collector's refusal counters by reason, from its /metrics. */
    private Map<String, Long> refusals() throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Long> byReason = new java.util.TreeMap<>();
        String prefix = "collector_rejections_total{reason=\"";
        metrics.lines().filter(line -> line.startsWith(prefix)).forEach(line -> byReason.put(
                line.substring(prefix.length(), line.indexOf('"', prefix.length())),
                (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))));
        System.out.println("Collector refusals by reason: " + byReason);
        return byReason;
    }

    private static long residentBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static long topicRecords(String bootstrapServers) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            return consumer.endOffsets(partitions).entrySet().stream()
                    .mapToLong(e -> e.getValue() - begin.get(e.getKey())).sum();
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
