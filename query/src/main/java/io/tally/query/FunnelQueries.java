package io.tally.query;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Reads a funnel as an analyst would with {@code deploy/queries.cql}: the users who entered on the days of a range,
 * how many of them reached each step, and their mean, median and p90 time from the previous step (the median and p90
 * from {@code funnel_step_times_by_day}'s buckets, within 2%: see {@link BucketQuantiles}).
 */
public final class FunnelQueries extends KeyspaceQueries {
    private static final int BAR_WIDTH = 40;

    public FunnelQueries(CqlSession session, String keyspace) {
        super(session, keyspace);
    }

    /**
     * One step of a funnel over a range of entry days: users reaching it, the sum of their time from the last, and how
     * many of them took a time in each bucket of {@code funnel_step_times_by_day} (none for step 1).
     */
    public record Step(int step, long users, long totalMillis, SortedMap<Integer, Long> timeBuckets) {

        public Step {
            timeBuckets = Collections.unmodifiableSortedMap(new TreeMap<>(timeBuckets));
        }

        /** A step with no time buckets (step 1, or rows written before the buckets existed). */
        public Step(int step, long users, long totalMillis) {
            this(step, users, totalMillis, new TreeMap<>());
        }

        /** The median time from the previous step, in whole milliseconds, within 2%; empty with no buckets. */
        public OptionalLong medianMillis() {
            return quantileMillis(0.5);
        }

        /** The 90th percentile of the time from the previous step, in whole milliseconds, within 2%. */
        public OptionalLong p90Millis() {
            return quantileMillis(0.9);
        }

        private OptionalLong quantileMillis(double quantile) {
            OptionalDouble millis = BucketQuantiles.millis(timeBuckets, quantile);
            return millis.isPresent() ? OptionalLong.of(Math.round(millis.getAsDouble())) : OptionalLong.empty();
        }
    }

    /** A funnel over the entry days of {@code [from, to)}; step 1 is everyone who entered. */
    public record Funnel(String name, Instant from, Instant to, List<Step> steps) {

        /**
         * The funnel as rows: step, users, percent of those who entered, percent of the previous step, mean, median
         * and p90 time from the previous step; with {@code bars} a text bar per step, for the terminal.
         */
        public Listing listing(boolean bars) {
            List<String> columns = new ArrayList<>(List.of("step", "users", "of_entered", "of_previous",
                    "mean_from_previous", "median_from_previous", "p90_from_previous"));
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
                                : Duration.ofMillis(step.totalMillis() / step.users()).toString(),
                        duration(step.medianMillis()), duration(step.p90Millis())));
                if (bars) {
                    row.add("#".repeat(entered == 0 ? 0 : (int) Math.round(BAR_WIDTH * (double) step.users()
                            / entered)));
                }
                rows.add(row);
                previous = step.users();
            }
            return new Listing("funnel '" + name + "', users entering " + from + " to " + to, columns, rows);
        }

        private static String duration(OptionalLong millis) {
            return millis.isPresent() ? Duration.ofMillis(millis.getAsLong()).toString() : "";
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
        TreeMap<Integer, StepSums> summed = new TreeMap<>();
        read(funnel, from, to).values().forEach(steps -> steps.forEach((step, values) ->
                summed.computeIfAbsent(step, s -> new StepSums()).add(values)));
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

    /** Per entry day, per step: users, their summed milliseconds and time buckets; rows of 0 users left out. */
    private TreeMap<LocalDate, TreeMap<Integer, StepSums>> read(String funnel, Instant from, Instant to) {
        PreparedStatement users = session.prepare("SELECT day, step, users FROM " + keyspace
                + ".funnel_steps_by_day WHERE funnel = ? AND month = ?");
        PreparedStatement times = session.prepare("SELECT day, step, total_ms FROM " + keyspace
                + ".funnel_step_ms_by_day WHERE funnel = ? AND month = ?");
        PreparedStatement buckets = session.prepare("SELECT day, step, users, bucket FROM " + keyspace
                + ".funnel_step_times_by_day WHERE funnel = ? AND month = ?");
        TreeMap<LocalDate, TreeMap<Integer, StepSums>> days = new TreeMap<>();
        for (Object month : months(from, to)) {
            sum(session.execute(users.bind(funnel, month)), from, to, days, (step, row) -> step.users += row.getLong(2));
            sum(session.execute(times.bind(funnel, month)), from, to, days,
                    (step, row) -> step.totalMillis += row.getLong(2));
            sum(session.execute(buckets.bind(funnel, month)), from, to, days,
                    (step, row) -> step.addBucket(row.getInt(3), row.getLong(2)));
        }
        days.values().forEach(steps -> steps.values().removeIf(step -> step.users == 0));
        days.values().removeIf(TreeMap::isEmpty);
        if (days.isEmpty()) {
            throw new QueryException("no users entered funnel '" + funnel + "' from " + from + " up to " + to
                    + " (funnel names are case-sensitive)");
        }
        return days;
    }

    private static List<Step> steps(TreeMap<Integer, StepSums> steps) {
        List<Step> result = new ArrayList<>();
        for (int step = 1; step <= steps.lastKey(); step++) {
            StepSums values = steps.getOrDefault(step, new StepSums());
            result.add(new Step(step, values.users, values.totalMillis, values.buckets));
        }
        return result;
    }

    /** Adds each row of {@code [from, to)}'s days (columns day, step, ...) to its step with {@code into}. */
    private static void sum(Iterable<Row> rows, Instant from, Instant to,
            TreeMap<LocalDate, TreeMap<Integer, StepSums>> days, BiConsumer<StepSums, Row> into) {
        for (Row row : rows) {
            LocalDate day = row.getLocalDate(0);
            Instant start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
            if (!start.isBefore(from) && start.isBefore(to)) {
                into.accept(days.computeIfAbsent(day, d -> new TreeMap<>()).computeIfAbsent(row.getInt(1),
                        step -> new StepSums()), row);
            }
        }
    }

    /** A step's columns as they are summed over rows and days. */
    private static final class StepSums {
        long users;
        long totalMillis;
        final TreeMap<Integer, Long> buckets = new TreeMap<>();

        void addBucket(int bucket, long bucketUsers) {
            if (bucketUsers != 0) {
                buckets.merge(bucket, bucketUsers, Long::sum);
            }
        }

        void add(StepSums other) {
            users += other.users;
            totalMillis += other.totalMillis;
            other.buckets.forEach(this::addBucket);
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
