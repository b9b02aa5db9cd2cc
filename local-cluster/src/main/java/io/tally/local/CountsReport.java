package io.tally.local;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Reads the counts back from Cassandra with CQL: progress while the topology runs, then what an analyst would see. */
final class CountsReport {
    private final CqlSession session;
    private final String keyspace;

    CountsReport(CqlSession session, String keyspace) {
        this.session = session;
        this.keyspace = keyspace;
    }

    /** Records the topology has finished with: events counted plus records rejected. */
    long total() {
        long total = 0;
        for (String table : new String[] {"event_counts_by_hour", "rejected_counts_by_hour"}) {
            for (Row row : session.execute("SELECT count FROM " + keyspace + "." + table)) {
                total += row.getLong(0);
            }
        }
        return total;
    }

    /** Prints progress once a second until every expected event is counted; false on timeout or overshoot. */
    boolean awaitTotal(long expected, int timeoutSecs, Console console) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSecs * 1_000_000_000L;
        long previous = 0;
        long previousAt = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long counted = total();
            long now = System.nanoTime();
            double rate = (counted - previous) / ((now - previousAt) / 1e9);
            console.done(String.format("counted %,d of %,d records (%,.0f records/s)", counted, expected, rate));
            if (counted == expected) {
                return true;
            }
            if (counted > expected) {
                console.fail("counted more records than the input holds: something was counted twice");
                return false;
            }
            previous = counted;
            previousAt = now;
            Thread.sleep(1_000);
        }
        return false;
    }

    void print(Console console) {
        Map<String, Long> perEvent = new HashMap<>();
        Map<String, Map<LocalDate, Long>> perEventDay = new HashMap<>();
        for (Row row : session.execute("SELECT event, day, count FROM " + keyspace + ".event_counts_by_hour")) {
            String event = row.getString("event");
            perEvent.merge(event, row.getLong("count"), Long::sum);
            perEventDay.computeIfAbsent(event, e -> new TreeMap<>()).merge(row.getLocalDate("day"), row.getLong("count"), Long::sum);
        }
        console.line("");
        console.line("Events counted, all hours (from tally.event_counts_by_hour):");
        perEvent.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> console.line(String.format("  %-26s %,8d", e.getKey(), e.getValue())));
        if (perEvent.isEmpty()) {
            return;
        }
        String event = perEvent.containsKey("Order Completed") ? "Order Completed"
                : perEvent.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        LocalDate day = perEventDay.get(event).entrySet().stream()
                .max(Comparator.comparing(Map.Entry<LocalDate, Long>::getValue)).orElseThrow().getKey();
        String cql = "SELECT hour, count FROM " + keyspace + ".event_counts_by_hour WHERE event = '" + event
                + "' AND day = '" + day + "';";
        console.line("");
        console.line("cql> " + cql);
        console.line(" hour                      | count");
        console.line("---------------------------+-------");
        for (Row row : session.execute("SELECT hour, count FROM " + keyspace
                + ".event_counts_by_hour WHERE event = ? AND day = ?", event, day)) {
            console.line(String.format(" %-25s | %5d", row.getInstant("hour").atOffset(ZoneOffset.UTC), row.getLong("count")));
        }
        console.line("");
    }
}
