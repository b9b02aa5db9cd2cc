package io.tally.dashboard;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tally.query.FunnelQueries;
import io.tally.query.RetentionQueries;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The dashboard's answers for funnels and retention, shaped from the query layer's results (the numbers are
 * {@code tally query funnel|retention}'s): numbers stay numbers in the JSON, so the page can draw bars and shade
 * cells, and the CSV is long (one row per day and step, per cohort and period) so a spreadsheet can pivot it.
 */
final class Journeys {
    private Journeys() {
    }

    /** An answer that also has a CSV form of its own. */
    interface Csv {
        @JsonIgnore
        List<String> csvColumns();

        @JsonIgnore
        List<List<String>> csvRows();
    }

    /**
     * One step: users reaching it; their share of those who entered and of the previous step, in percent (null
     * when there is nobody to divide by); their mean time from the previous step (null for step 1 and no users), and
     * the median and 90th percentile of it, within 2% (null also where no time buckets were written).
     */
    record Step(int step, long users, Double ofEntered, Double ofPrevious, Long meanMsFromPrevious,
            Long medianMsFromPrevious, Long p90MsFromPrevious) {
    }

    /** One entry day's steps. */
    record Day(String day, List<Step> steps) {
    }

    /** A funnel over a range of entry days: the steps summed over the range, then per entry day. */
    record Funnel(String title, String name, String from, String to, List<Step> steps, List<Day> days)
            implements Csv {
        @JsonProperty
        public boolean empty() {
            return steps.isEmpty();
        }

        @Override
        public List<String> csvColumns() {
            return List.of("entry_day", "step", "users", "of_entered_pct", "of_previous_pct", "mean_ms_from_previous",
                    "median_ms_from_previous", "p90_ms_from_previous");
        }

        @Override
        public List<List<String>> csvRows() {
            List<List<String>> rows = new ArrayList<>();
            rows.addAll(csv("all", steps));
            days.forEach(day -> rows.addAll(csv(day.day(), day.steps())));
            return rows;
        }

        private static List<List<String>> csv(String day, List<Step> steps) {
            return steps.stream().map(s -> List.of(day, String.valueOf(s.step()), String.valueOf(s.users()),
                    percent(s.ofEntered()), percent(s.ofPrevious()), millis(s.meanMsFromPrevious()),
                    millis(s.medianMsFromPrevious()), millis(s.p90MsFromPrevious()))).toList();
        }

        private static String millis(Long millis) {
            return millis == null ? "" : String.valueOf(millis);
        }
    }

    /**
     * A cohort triangle: per cohort day its size and, per period 1..{@code periods}, the users who returned (0 when
     * none did; null when the cohort has not reached that period yet) and their share of the cohort in percent.
     */
    record Triangle(String title, String name, String kind, int periods, List<Cohort> cohorts) implements Csv {
        record Cohort(String cohort, long users, List<Long> returned, List<Double> percent) {
        }

        @JsonProperty
        public boolean empty() {
            return cohorts.isEmpty();
        }

        @Override
        public List<String> csvColumns() {
            return List.of("cohort", "cohort_users", kind.startsWith("week") ? "week" : "day", "returned",
                    "returned_pct");
        }

        @Override
        public List<List<String>> csvRows() {
            List<List<String>> rows = new ArrayList<>();
            for (Cohort c : cohorts) {
                for (int i = 0; i < c.returned().size(); i++) {
                    if (c.returned().get(i) != null) {
                        rows.add(List.of(c.cohort(), String.valueOf(c.users()), String.valueOf(i + 1),
                                String.valueOf(c.returned().get(i)), percent(c.percent().get(i))));
                    }
                }
            }
            return rows;
        }
    }

    static Funnel funnel(FunnelQueries.Funnel summed, List<FunnelQueries.Day> days) {
        return new Funnel("funnel '" + summed.name() + "', users entering " + summed.from() + " to " + summed.to(),
                summed.name(), summed.from().toString(), summed.to().toString(), steps(summed.steps()),
                days.stream().map(d -> new Day(d.day().toString(), steps(d.steps()))).toList());
    }

    private static Long orNull(OptionalLong millis) {
        return millis.isPresent() ? millis.getAsLong() : null;
    }

    private static List<Step> steps(List<FunnelQueries.Step> steps) {
        long entered = steps.isEmpty() ? 0 : steps.get(0).users();
        long previous = entered;
        List<Step> result = new ArrayList<>();
        for (FunnelQueries.Step s : steps) {
            boolean timed = s.step() > 1 && s.users() > 0;
            result.add(new Step(s.step(), s.users(), share(s.users(), entered), share(s.users(), previous),
                    timed ? s.totalMillis() / s.users() : null, timed ? orNull(s.medianMillis()) : null,
                    timed ? orNull(s.p90Millis()) : null));
            previous = s.users();
        }
        return result;
    }

    /**
     * @param today the current UTC day: a cohort has reached period k when its k-th day (or the first day of its k-th
     *     week) is today or earlier; later periods are null, not 0, so the page can leave them out of the triangle
     */
    static Triangle triangle(RetentionQueries.Triangle triangle, int periods, LocalDate today) {
        boolean weeks = triangle.kind().startsWith("week");
        List<Triangle.Cohort> cohorts = new ArrayList<>();
        triangle.cohorts().forEach((day, byPeriod) -> {
            long size = byPeriod.getOrDefault(0, 0L);
            List<Long> returned = new ArrayList<>();
            List<Double> percent = new ArrayList<>();
            for (int period = 1; period <= periods; period++) {
                boolean reached = !day.plusDays(weeks ? 7L * period : period).isAfter(today);
                Long users = reached ? byPeriod.getOrDefault(period, 0L) : null;
                returned.add(users);
                percent.add(users == null ? null : share(users, size));
            }
            cohorts.add(new Triangle.Cohort(day.toString(), size, returned, percent));
        });
        return new Triangle(triangle.listing().title(), triangle.name(), triangle.kind(), periods, cohorts);
    }

    /** The number of periods to show: the furthest period with a row, at least one. */
    static int periods(RetentionQueries.Triangle triangle) {
        return Math.max(1, triangle.cohorts().values().stream().map(Map::keySet).flatMap(java.util.Set::stream)
                .mapToInt(Integer::intValue).max().orElse(1));
    }

    private static Double share(long part, long whole) {
        return whole == 0 ? null : 100.0 * part / whole;
    }

    private static String percent(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, "%.1f", value);
    }
}
