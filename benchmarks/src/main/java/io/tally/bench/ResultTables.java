package io.tally.bench;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the throughput benchmark's results to standard output as Markdown tables: one column per measured run (counts
 * only, the full pipeline and the variants asked for) with a row per result key, the freshness rows beneath, then the
 * details that make no row (CPU by thread group, Cassandra rows by table); or the growth curve, one row per point. It
 * reads the same maps that are written as JSON, so the tables and the file cannot disagree, and it names the result
 * keys both share.
 */
final class ResultTables {
    /** Where a run's CPU went, in the JSON and after the table; not a table row. */
    static final String THREADS_KEY = "cpu_us_per_event_by_thread_group";
    /** Per table, Cassandra rows read / written per 1,000 events; in the JSON and after the table. */
    static final String TABLES_KEY = "cassandra_rows_read_written_per_1000_by_table";
    /** The full pipeline with its states in memory ({@code --in-memory-states}), in the JSON and the table. */
    static final String IN_MEMORY_KEY = "full_pipeline_states_in_memory";
    static final String JOURNEYS_KEY = "full_pipeline_with_journeys";
    /** The warm-up runs before the measured ones, in the JSON; printed as they end, not in the table. */
    static final String WARM_UPS_KEY = "warm_up_runs";

    private ResultTables() {
    }

    @SuppressWarnings("unchecked")
    static void printRun(Map<String, Object> results) {
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

    static void printTable(String title, List<Map<String, Object>> rows) {
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
}
