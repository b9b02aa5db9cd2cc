package io.tally.query;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a funnel as an analyst would with {@code deploy/queries.cql}: the users who entered on the days of a range,
 * how many of them reached each step, and their mean time from the previous step.
 */
public final class FunnelQueries {
    private static final int BAR_WIDTH = 40;

    private final CqlSession session;
    private final String keyspace;

    public FunnelQueries(CqlSession session, String keyspace) {
        this.session = session;
        this.keyspace = CqlIdentifier.fromInternal(keyspace).asCql(true);
    }

    /** One step of a funnel over a range of entry days: users reaching it, and the sum of their time from the last. */
    public record Step(int step, long users, long totalMillis) {
    }

    /** A funnel over the entry days of {@code [from, to)}; step 1 is everyone who entered. */
    public record Funnel(String name, Instant from, Instant to, List<Step> steps) {

        /**
         * The funnel as rows: step, users, percent of those who entered, percent of the previous step, mean time
         * from the previous step; with {@code bars} a text bar per step, for the terminal.
         */
        public Listing listing(boolean bars) {
            List<String> columns = new ArrayList<>(List.of("step", "users", "of_entered", "of_previous",
                    "mean_from_previous"));
            if (bars) {
                columns.add("");
            }
            long entered = steps.isEmpty() ? 0 : steps.get(0).users();
            List<List<String>> rows = new ArrayList<>();
            long previous = entered;
            for (Step step : steps) {
                List<String> row = new ArrayList<>(List.of(String.valueOf(step.step()), String.valueOf(step.users()),
                        percent(step.users(), entered), percent(step.users(), previous),
                        step.step() == 1 || step.users() == 0 ? ""
                                : Duration.ofMillis(step.totalMillis() / step.users()).toString()));
                if (bars) {
                    row.add("#".repeat(entered == 0 ? 0 : (int) Math.round(BAR_WIDTH * (double) step.users()
                            / entered)));
                }
                rows.add(row);
                previous = step.users();
            }
            return new Listing("funnel '" + name + "', users entering " + from + " to " + to, columns, rows);
        }

        private static String percent(long part, long whole) {
            return whole == 0 ? "" : String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * part / whole);
        }
    }

    /** One entry day of a funnel: its steps 1..the last step anyone of that day reached. */
    public record Day(LocalDate day, List<Step> steps) {
    }

    /** The funnel's steps summed over the entry days of {@code [from, to)}, one query per month partition. */
    public Funnel funnel(String funnel, Instant from, Instant to) {
        TreeMap<Integer, long[]> summed = new TreeMap<>();
        read(funnel, from, to).values().forEach(steps -> steps.forEach((step, values) -> {
            long[] sum = summed.computeIfAbsent(step, s -> new long[2]);
            sum[0] += values[0];
            sum[1] += values[1];
        }));
        return new Funnel(funnel, from, to, steps(summed));
    }

    /**
     * The funnel per entry day of {@code [from, to)} (days nobody entered are left out), read as {@link #funnel}
     * reads it: the dashboard shows both, and they must agree.
     */
    public List<Day> byDay(String funnel, Instant from, Instant to) {
        List<Day> days = new ArrayList<>();
        read(funnel, from, to).forEach((day, steps) -> days.add(new Day(day, steps(steps))));
        return days;
    }

    /** Per entry day, per step: users and their summed milliseconds; rows emptied again (0 users) left out. */
    private TreeMap<LocalDate, TreeMap<Integer, long[]>> read(String funnel, Instant from, Instant to) {
        PreparedStatement users = session.prepare("SELECT day, step, users FROM " + keyspace
                + ".funnel_steps_by_day WHERE funnel = ? AND month = ?");
        PreparedStatement times = session.prepare("SELECT day, step, total_ms FROM " + keyspace
                + ".funnel_step_ms_by_day WHERE funnel = ? AND month = ?");
        TreeMap<LocalDate, TreeMap<Integer, long[]>> days = new TreeMap<>();
        for (Object month : months(from, to)) {
            sum(session.execute(users.bind(funnel, month)), from, to, days, 0);
            sum(session.execute(times.bind(funnel, month)), from, to, days, 1);
        }
        days.values().forEach(steps -> steps.values().removeIf(step -> step[0] == 0));
        days.values().removeIf(TreeMap::isEmpty);
        if (days.isEmpty()) {
            throw new QueryException("no users entered funnel '" + funnel + "' from " + from + " up to " + to
                    + " (funnel names are case-sensitive)");
        }
        return days;
    }

    private static List<Step> steps(TreeMap<Integer, long[]> steps) {
        List<Step> result = new ArrayList<>();
        for (int step = 1; step <= steps.lastKey(); step++) {
            long[] values = steps.getOrDefault(step, new long[2]);
            result.add(new Step(step, values[0], values[1]));
        }
        return result;
    }

    private static void sum(Iterable<Row> rows, Instant from, Instant to,
            TreeMap<LocalDate, TreeMap<Integer, long[]>> days, int slot) {
        for (Row row : rows) {
            LocalDate day = row.getLocalDate(0);
            Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
            if (!start.isBefore(from) && start.isBefore(to)) {
                days.computeIfAbsent(day, d -> new TreeMap<>()).computeIfAbsent(row.getInt(1),
                        step -> new long[2])[slot] += row.getLong(2);
            }
        }
    }

    /** The month partitions ({@code yyyy-MM}) the days of {@code [from, to)} fall in. */
    static Set<Object> months(Instant from, Instant to) {
        Set<Object> months = new LinkedHashSet<>();
        for (Instant day = from; day.isBefore(to); day = day.plus(Duration.ofDays(28))) {
            months.add(Granularity.DAY.partitionOf(day));
        }
        months.add(Granularity.DAY.partitionOf(to.minusMillis(1)));
        return months;
    }
}
