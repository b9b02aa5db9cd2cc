package io.tally.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.local.LocalStack;
import io.tally.local.kafka.KafkaTopics;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.CassandraStateMetrics;
import io.tally.state.cassandra.CassandraStateMetrics.Totals;
import io.tally.state.schema.SchemaApplier;
import io.tally.state.schema.TallyTables;
import io.tally.topology.StateWrapper;
import io.tally.topology.TallyTopology;
import io.tally.topology.TallyTopology.Scope;
import io.tally.topology.config.TallyConfig;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs one benchmark topology at a time on the local stack: deploys it into a fresh keyspace reading a given topic,
 * waits for the servers to go idle, submits it to Storm and waits until the hourly totals hold every expected event,
 * then checks it and kills it. What a run cost (its rate from the first committed batch to the last event counted,
 * the CPU of each process and thread group, the worker's memory, Cassandra's rows and requests per table) is a
 * {@link TopologyRun}, whose summary is what the JSON and the tables report. Freshness runs a topology the same way
 * and reports how long offered events take to be counted instead.
 */
final class TopologyRunner {
    private final LocalStack stack;
    private final CqlSession session;
    private final ResourceUsage resources;
    private final int partitions;
    private int runs;

    TopologyRunner(LocalStack stack, CqlSession session, ResourceUsage resources, int partitions) {
        this.stack = stack;
        this.session = session;
        this.resources = resources;
        this.partitions = partitions;
    }

    /** One counter for every run, freshness's too, so that no two runs share a topology name or a keyspace. */
    private String nextName(String purpose) {
        return "bench-" + purpose + "-" + (++runs);
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
    TopologyRun runTopology(String purpose, String topic, Scope scope, TallyConfig template, long expected,
            List<LocalDate> days, ExactnessCheck check) throws InterruptedException {
        return runTopology(purpose, topic, scope, template, StateWrapper.NONE, expected, days, check);
    }

    TopologyRun runTopology(String purpose, String topic, Scope scope, TallyConfig template,
            StateWrapper states, long expected, List<LocalDate> days, ExactnessCheck check)
            throws InterruptedException {
        String name = nextName(purpose);
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
    interface ExactnessCheck {
        boolean exact(String keyspace) throws InterruptedException;
    }

    record TopologyRun(String name, String keyspace, Scope scope, long events, long countedAtFirst,
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
            return sum(costByTable);
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
            summary.put(ResultTables.THREADS_KEY, threadGroups(resources.cpuByThreadGroup(), measured));
            summary.put(ResultTables.TABLES_KEY, rowsByTable(costByTable, events));
            return summary;
        }
    }

    /** What the state library did per table since {@code before} was taken. */
    static Map<String, Totals> costSince(Map<String, Totals> before) {
        Map<String, Totals> cost = new TreeMap<>();
        CassandraStateMetrics.totalsByTable().forEach((table, after) -> cost.put(table,
                after.minus(before.getOrDefault(table, Totals.NONE))));
        return cost;
    }

    /** Per table it touched, "rows read / rows written" per 1,000 events. */
    static Map<String, String> rowsByTable(Map<String, Totals> costByTable, long events) {
        Map<String, String> rowsByTable = new LinkedHashMap<>();
        costByTable.forEach((table, rows) -> {
            if (rows.rowsRead() + rows.rowsWritten() > 0) {
                rowsByTable.put(table, perThousand(rows.rowsRead(), events) + " / "
                        + perThousand(rows.rowsWritten(), events));
            }
        });
        return rowsByTable;
    }

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

    /**
     * Submits {@code template} over a new, empty topic and offers it live events at {@code rate} for {@code seconds}
     * (see {@link Freshness}); the summary holds the freshness percentiles and Cassandra's rows per 1,000 of them.
     */
    Map<String, Object> freshness(Scope scope, TallyConfig template, int rate, int users, Duration seconds)
            throws InterruptedException {
        String name = nextName("fresh");
        String keyspace = name.replace('-', '_');
        String topic = name + "-events";
        KafkaTopics.create(stack.kafka().bootstrapServers(), topic, partitions);
        TallyConfig config = deployed(template, name, topic, keyspace);
        Map<String, Totals> costBefore = CassandraStateMetrics.totalsByTable();
        stack.storm().submit(name, TallyTopology.stormConfig(config), TallyTopology.build(config, scope));
        try {
            Freshness.Result result = Freshness.measure(stack.kafka().bootstrapServers(), topic, partitions, session,
                    keyspace, rate, users, Duration.ofSeconds(10), seconds, Duration.ofMinutes(2));
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("offered_events_per_s", result.offeredPerSecond());
            summary.put("events_measured", result.measured());
            summary.put("p50_ms", result.p50Millis());
            summary.put("p99_ms", result.p99Millis());
            summary.put("max_ms", result.maxMillis());
            summary.put("backlog_when_sending_ended_s", result.backlogSeconds());
            summary.put("kept_up", result.keptUp());
            // Live events touch the last minutes' count rows only: what production traffic costs Cassandra.
            // Tables written behind count only the flushes within the run. Until every event is visible, the rows
            // written belong to fewer events than were sent, so no share is given.
            if (result.allVisible()) {
                Map<String, Totals> cost = costSince(costBefore);
                Totals total = sum(cost);
                summary.put("cassandra_rows_read_per_1000", perThousand(total.rowsRead(), result.produced()));
                summary.put("cassandra_rows_written_per_1000", perThousand(total.rowsWritten(), result.produced()));
                summary.put(ResultTables.TABLES_KEY, rowsByTable(cost, result.produced()));
            }
            System.out.printf("%s (%s): %s%n", name, scope, summary);
            System.out.printf("%s by %d s of sending:%n", name, Freshness.WINDOW.toSeconds());
            result.timeline().forEach(window -> System.out.println("  " + window));
            return summary;
        } finally {
            stack.storm().kill(name);
        }
    }

    static Totals sum(Map<String, Totals> costByTable) {
        return costByTable.values().stream().reduce(Totals.NONE, Totals::plus);
    }

    /** A share to two decimals; null when unknown (NaN). */
    static Double rounded(double share) {
        return Double.isNaN(share) ? null : Math.round(share * 100) / 100.0;
    }

    static double perThousand(long amount, long events) {
        return Math.round(amount * 1000.0 / Math.max(1, events) * 10) / 10.0;
    }
}
