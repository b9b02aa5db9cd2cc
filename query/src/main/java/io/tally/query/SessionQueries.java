package io.tally.query;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads {@code sessions_by_day} as an analyst would with {@code deploy/queries.cql}: per start day of a range the
 * sessions and their mean length and events, or the distribution of their lengths or events over the range, summed
 * over the property values asked for.
 */
public final class SessionQueries extends KeyspaceQueries {
    private static final int BAR_WIDTH = 40;

    public SessionQueries(CqlSession session, String keyspace) {
        super(session, keyspace);
    }

    /** What the rows of an answer are. */
    public enum By {
        /** One row per start day: sessions, mean length, mean events. */
        DAY,
        /** One row per length bucket. */
        LENGTH,
        /** One row per events-per-session bucket. */
        EVENTS
    }

    /** Per start day, per kind, per bucket: the amounts of the days of the range, summed over the values. */
    public record Sessions(List<String> values, Instant from, Instant to,
            Map<LocalDate, Map<String, Map<Integer, Long>>> days) {

        /** The day's (or, with {@code day} null, the range's) amount of {@code kind} in {@code bucket}. */
        public long amount(LocalDate day, String kind, int bucket) {
            return (day == null ? days.values().stream() : java.util.stream.Stream.ofNullable(days.get(day)))
                    .mapToLong(kinds -> kinds.getOrDefault(kind, Map.of()).getOrDefault(bucket, 0L)).sum();
        }

        /** The answer as rows; with {@code bars} a text bar per row, for the terminal. */
        public Listing listing(By by, boolean bars) {
            String title = "sessions of " + String.join(", ", values) + ", started " + from + " to " + to;
            List<List<String>> rows = new ArrayList<>();
            if (by == By.DAY) {
                long most = days.keySet().stream().mapToLong(day -> amount(day, "sessions", 0)).max().orElse(0);
                for (LocalDate day : days.keySet()) {
                    long sessions = amount(day, "sessions", 0);
                    List<String> row = new ArrayList<>(List.of(day.toString(), String.valueOf(sessions),
                            sessions == 0 ? "" : Duration.ofMillis(amount(day, "total_ms", 0) / sessions).toString(),
                            sessions == 0 ? "" : String.format(Locale.ROOT, "%.1f",
                                    (double) amount(day, "total_events", 0) / sessions)));
                    addBar(row, bars, sessions, most);
                    rows.add(row);
                }
                return new Listing(title, columns(bars, "day", "sessions", "mean_length", "mean_events"), rows);
            }
            String kind = by == By.LENGTH ? "length_s" : "events";
            TreeMap<Integer, Long> buckets = new TreeMap<>();
            days.values().forEach(kinds -> kinds.getOrDefault(kind, Map.of())
                    .forEach((bucket, n) -> buckets.merge(bucket, n, Long::sum)));
            long total = amount(null, "sessions", 0);
            long most = buckets.values().stream().mapToLong(Long::longValue).max().orElse(0);
            buckets.forEach((bucket, n) -> {
                List<String> row = new ArrayList<>(List.of(by == By.LENGTH ? Duration.ofSeconds(bucket).toString()
                        : String.valueOf(bucket), String.valueOf(n), total == 0 ? ""
                        : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / total)));
                addBar(row, bars, n, most);
                rows.add(row);
            });
            return new Listing(title + ", by " + (by == By.LENGTH ? "length (bucket: its lower bound)"
                    : "events per session (bucket: its lower bound)"),
                    columns(bars, by == By.LENGTH ? "length_from" : "events_from", "sessions", "share"), rows);
        }

        private static List<String> columns(boolean bars, String... names) {
            List<String> columns = new ArrayList<>(List.of(names));
            if (bars) {
                columns.add("");
            }
            return columns;
        }

        private static void addBar(List<String> row, boolean bars, long n, long most) {
            if (bars) {
                row.add("#".repeat(most == 0 ? 0 : (int) Math.round(BAR_WIDTH * (double) n / most)));
            }
        }
    }

    /** The sessions that started on the days of {@code [from, to)} with any of {@code values}, one query per month. */
    public Sessions sessions(List<String> values, Instant from, Instant to) {
        PreparedStatement select = session.prepare("SELECT day, kind, bucket, amount FROM " + keyspace
                + ".sessions_by_day WHERE property_value = ? AND month = ?");
        Map<LocalDate, Map<String, Map<Integer, Long>>> days = new TreeMap<>();
        for (String value : values) {
            for (Object month : FunnelQueries.months(from, to)) {
                for (Row row : session.execute(select.bind(value, month))) {
                    LocalDate day = row.getLocalDate(0);
                    Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
                    if (start.isBefore(from) || !start.isBefore(to) || row.getLong(3) == 0) {
                        continue;
                    }
                    days.computeIfAbsent(day, d -> new TreeMap<>()).computeIfAbsent(row.getString(1),
                            k -> new TreeMap<>()).merge(row.getInt(2), row.getLong(3), Long::sum);
                }
            }
        }
        days.values().removeIf(kinds -> kinds.getOrDefault("sessions", Map.of()).getOrDefault(0, 0L) == 0);
        if (days.isEmpty()) {
            throw new QueryException("no sessions of " + values + " started from " + from + " up to " + to
                    + " (is the sessions section configured? values are case-sensitive)");
        }
        return new Sessions(List.copyOf(values), from, to, days);
    }
}
