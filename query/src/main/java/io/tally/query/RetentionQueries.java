package io.tally.query;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a retention definition as an analyst would with {@code deploy/queries.cql}: per cohort day of a range, its
 * size and the users who returned in each period, as a cohort triangle.
 */
public final class RetentionQueries extends KeyspaceQueries {

    public RetentionQueries(CqlSession session, String keyspace) {
        super(session, keyspace);
    }

    /** Per cohort day: its size (period 0) and the users per period. */
    public record Triangle(String name, String kind, Map<LocalDate, Map<Integer, Long>> cohorts) {

        /**
         * One row per cohort day: the day, its users, then per period the users who returned and their share of the
         * cohort ({@code 12 (40.0%)}); periods the cohort has not reached yet, and without returns, are blank.
         */
        public Listing listing() {
            int last = cohorts.values().stream().flatMap(periods -> periods.keySet().stream())
                    .mapToInt(Integer::intValue).max().orElse(0);
            List<String> columns = new ArrayList<>(List.of("cohort", "users"));
            for (int period = 1; period <= last; period++) {
                columns.add(kind.startsWith("week") ? "w" + period : "d" + period);
            }
            List<List<String>> rows = new ArrayList<>();
            cohorts.forEach((day, periods) -> {
                long size = periods.getOrDefault(0, 0L);
                List<String> row = new ArrayList<>(List.of(day.toString(), String.valueOf(size)));
                for (int period = 1; period <= last; period++) {
                    Long users = periods.get(period);
                    row.add(users == null || size == 0 ? "" : users + String.format(Locale.ROOT, " (%.1f%%)",
                            100.0 * users / size));
                }
                rows.add(row);
            });
            return new Listing("retention '" + name + "' by " + kind.replace('_', ' ') + ", per cohort day",
                    columns, rows);
        }
    }

    /**
     * The cohorts of the days of {@code [from, to)}, by {@code day} or {@code week}, or with {@code orLater} the users
     * who returned in that period or any later one.
     */
    public Triangle triangle(String name, Instant from, Instant to, boolean weeks, boolean orLater) {
        String kind = (weeks ? "week" : "day") + (orLater ? "_or_later" : "");
        String base = weeks ? "week" : "day";
        PreparedStatement select = session.prepare("SELECT cohort, kind, period, users FROM " + keyspace
                + ".retention_by_day WHERE retention = ? AND month = ?");
        Map<LocalDate, Map<Integer, Long>> cohorts = new TreeMap<>();
        for (Object month : FunnelQueries.months(from, to)) {
            for (Row row : session.execute(select.bind(name, month))) {
                LocalDate cohort = row.getLocalDate(0);
                Instant start = cohort.atStartOfDay(ZoneOffset.UTC).toInstant();
                String rowKind = row.getString(1);
                int period = row.getInt(2);
                boolean size = period == 0 && rowKind.equals(base);
                if (start.isBefore(from) || !start.isBefore(to) || !(size || rowKind.equals(kind) && period > 0)
                        || row.getLong(3) == 0) {
                    continue;
                }
                cohorts.computeIfAbsent(cohort, day -> new TreeMap<>()).put(period, row.getLong(3));
            }
        }
        if (cohorts.isEmpty()) {
            throw new QueryException("no cohorts of retention '" + name + "' from " + from + " up to " + to
                    + " (names are case-sensitive)");
        }
        return new Triangle(name, kind, cohorts);
    }
}
