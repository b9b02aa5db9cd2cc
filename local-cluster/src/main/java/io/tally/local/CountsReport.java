package io.tally.local;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.schema.TallyTables;
import io.tally.query.Granularity;
import io.tally.query.QueryException;
import io.tally.query.Series;
import io.tally.query.SeriesFormat;
import io.tally.query.SeriesQueries;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** Reads the counts back from Cassandra with CQL: what an analyst would see. */
final class CountsReport {
    private static final String ALL_EVENTS = TallyTables.ALL_EVENTS;
    private final CqlSession session;
    private final String keyspace;

    CountsReport(CqlSession session, String keyspace) {
        this.session = session;
        this.keyspace = keyspace;
    }

    /**
     * Daily active users, once they stop changing: the distinct-user state of the last batch may commit a moment
     * after its counts.
     */
    private static Series activeUsers(SeriesQueries queries, LocalDate firstDay, LocalDate lastDay) {
        Instant from = firstDay.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = lastDay.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Series previous = null;
        for (int attempt = 1; ; attempt++) {
            try {
                Series now = queries.uniqueUsers(ALL_EVENTS, from, to);
                if (now.equals(previous) || attempt == 20) {
                    return now;
                }
                previous = now;
            } catch (QueryException e) {
                if (attempt == 20) {
                    throw e;
                }
            }
            sleepQuietly(500);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void print(Console console) {
        Map<String, Long> perEvent = new HashMap<>();
        Map<String, Map<LocalDate, Long>> perEventDay = new HashMap<>();
        for (Row row : session.execute("SELECT event, day, count FROM " + keyspace + ".event_counts_by_hour")) {
            String event = row.getString("event");
            if (ALL_EVENTS.equals(event)) {
                continue;
            }
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
        Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = from.plus(1, ChronoUnit.DAYS);
        SeriesQueries queries = new SeriesQueries(session, keyspace);
        console.line("");
        console.line("$ tally query counts --event '" + event + "' --from " + day + " --to " + day.plusDays(1)
                + " --granularity hour");
        console.line(SeriesFormat.TABLE.render(queries.counts(event, from, to, Granularity.HOUR)));
        LocalDate firstDay = perEventDay.get(event).keySet().stream().min(Comparator.naturalOrder()).orElseThrow();
        LocalDate lastDay = perEventDay.get(event).keySet().stream().max(Comparator.naturalOrder()).orElseThrow();
        console.line("$ tally query users --from " + firstDay + " --to " + lastDay.plusDays(1));
        console.line(SeriesFormat.TABLE.render(activeUsers(queries, firstDay, lastDay)));
        console.line("");
    }
}
