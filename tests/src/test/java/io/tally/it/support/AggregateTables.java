package io.tally.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.testsupport.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads an aggregate table whole with CQL, keyed like {@link AggregateTruth}: key columns as text. */
public final class AggregateTables {
    private AggregateTables() {
    }

    /**
     * @param keyColumns the columns that make up the truth's key, in its order
     * @param valueColumn the count column
     */
    public static Map<List<String>, Long> read(CqlSession session, String keyspace, String table,
            List<String> keyColumns, String valueColumn) {
        Map<List<String>, Long> counts = new HashMap<>();
        String query = "SELECT " + String.join(", ", keyColumns) + ", " + valueColumn + " FROM " + keyspace + "." + table;
        for (Row row : session.execute(query)) {
            List<String> key = new ArrayList<>(keyColumns.size());
            for (String column : keyColumns) {
                key.add(String.valueOf(row.getObject(column)));
            }
            counts.put(key, row.getLong(valueColumn));
        }
        return counts;
    }

    /**
     * Reads several value columns per key, each row's values as text joined with {@code |} (timestamps as ISO
     * instants, dates as ISO dates), for tables whose rows hold more than a count.
     */
    public static Map<List<String>, String> readRows(CqlSession session, String keyspace, String table,
            List<String> keyColumns, List<String> valueColumns) {
        Map<List<String>, String> rows = new HashMap<>();
        String query = "SELECT " + String.join(", ", keyColumns) + ", " + String.join(", ", valueColumns)
                + " FROM " + keyspace + "." + table;
        for (Row row : session.execute(query)) {
            List<String> key = new ArrayList<>(keyColumns.size());
            for (String column : keyColumns) {
                key.add(String.valueOf(row.getObject(column)));
            }
            List<String> values = new ArrayList<>(valueColumns.size());
            for (String column : valueColumns) {
                values.add(String.valueOf(row.getObject(column)));
            }
            rows.put(key, String.join("|", values));
        }
        return rows;
    }

    /**
     * The differences between two maps, at most 15 of them, with both totals (sums of counts, else numbers of keys);
     * empty when equal.
     */
    public static String diff(Map<List<String>, ?> expected, Map<List<String>, ?> actual) {
        List<List<String>> differing = differingKeys(expected, actual);
        if (differing.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (List<String> key : differing.subList(0, Math.min(15, differing.size()))) {
            out.append(key).append(": expected ").append(expected.get(key)).append(", counted ").append(actual.get(key))
                    .append('\n');
        }
        return out.append(differing.size()).append(" keys differ; totals expected ").append(total(expected))
                .append(", counted ").append(total(actual)).toString();
    }

    /** The keys missing, extra or with another value in {@code actual}, in key order. */
    public static List<List<String>> differingKeys(Map<List<String>, ?> expected, Map<List<String>, ?> actual) {
        java.util.Set<List<String>> keys = new java.util.TreeSet<>(java.util.Comparator.comparing(Object::toString));
        keys.addAll(expected.keySet());
        keys.addAll(actual.keySet());
        return keys.stream().filter(key -> !java.util.Objects.equals(expected.get(key), actual.get(key))).toList();
    }

    private static String total(Map<List<String>, ?> values) {
        if (values.values().stream().allMatch(Long.class::isInstance)) {
            return String.valueOf(values.values().stream().mapToLong(v -> (Long) v).sum());
        }
        return values.size() + " keys";
    }

    public static long rows(CqlSession session, String keyspace, String table) {
        return session.execute("SELECT COUNT(*) FROM " + keyspace + "." + table).one().getLong(0);
    }

    /**
     * Every count and distinct-user table equals the truth once drained (within {@code drain}), and still does
     * {@code settle} later: a late replay counting twice would show.
     */
    public static void assertExact(CqlSession session, String keyspace, AggregateTruth truth, Duration drain,
            Duration settle) {
        Eventually.poll(() -> read(session, keyspace, "event_counts_by_minute", List.of("event", "minute"), "count"),
                truth.minutes()::equals, drain);
        Eventually.poll(() -> read(session, keyspace, "unique_users_by_day", List.of("event", "day"), "users"),
                truth.uniqueUsers()::equals, drain);
        Eventually.sleep(settle);
        for (Map.Entry<String, Map<List<String>, Long>> table : Map.of(
                "event_counts_by_minute", truth.minutes(),
                "event_counts_by_hour", truth.hours(),
                "event_counts_by_day", truth.days()).entrySet()) {
            List<String> bucket = List.of("event", table.getKey().substring("event_counts_by_".length()));
            assertThat(diff(table.getValue(), read(session, keyspace, table.getKey(), bucket, "count")))
                    .as(table.getKey()).isEmpty();
        }
        assertThat(diff(truth.uniqueUsers(), read(session, keyspace, "unique_users_by_day", List.of("event", "day"),
                "users"))).as("unique_users_by_day").isEmpty();
    }
}
