package io.tally.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.query.FunnelQueries;
import io.tally.query.RetentionQueries;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The shapes of the funnel and retention answers, from query-layer results built by hand. */
class JourneysTest {
    private static final Instant FROM = Instant.parse("2026-11-20T00:00:00Z");
    private static final Instant TO = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void aFunnelHasConversionAndMeanTimePerStepAndALongCsv() {
        List<FunnelQueries.Step> day1 = List.of(new FunnelQueries.Step(1, 8, 0), new FunnelQueries.Step(2, 4, 4_000),
                new FunnelQueries.Step(3, 1, 500));
        List<FunnelQueries.Step> day2 = List.of(new FunnelQueries.Step(1, 2, 0), new FunnelQueries.Step(2, 1, 3_000));
        FunnelQueries.Funnel summed = new FunnelQueries.Funnel("checkout", FROM, TO, List.of(
                new FunnelQueries.Step(1, 10, 0), new FunnelQueries.Step(2, 5, 7_000),
                new FunnelQueries.Step(3, 1, 500)));
        Journeys.Funnel answer = Journeys.funnel(summed, List.of(
                new FunnelQueries.Day(LocalDate.parse("2026-11-20"), day1),
                new FunnelQueries.Day(LocalDate.parse("2026-11-21"), day2)));

        assertThat(answer.steps()).containsExactly(new Journeys.Step(1, 10, 100.0, 100.0, null, null, null),
                new Journeys.Step(2, 5, 50.0, 50.0, 1_400L, null, null),
                new Journeys.Step(3, 1, 10.0, 20.0, 500L, null, null));
        assertThat(answer.empty()).isFalse();
        assertThat(answer.csvRows()).containsExactly(
                List.of("all", "1", "10", "100.0", "100.0", "", "", ""),
                List.of("all", "2", "5", "50.0", "50.0", "1400", "", ""),
                List.of("all", "3", "1", "10.0", "20.0", "500", "", ""),
                List.of("2026-11-20", "1", "8", "100.0", "100.0", "", "", ""),
                List.of("2026-11-20", "2", "4", "50.0", "50.0", "1000", "", ""),
                List.of("2026-11-20", "3", "1", "12.5", "25.0", "500", "", ""),
                List.of("2026-11-21", "1", "2", "100.0", "100.0", "", "", ""),
                List.of("2026-11-21", "2", "1", "50.0", "50.0", "3000", "", ""));
    }

    @Test
    void aStepWithTimeBucketsHasTheMedianAndP90OfTheQueryLayer() {
        // Nine users took a time in bucket 0, one in bucket 100: the median lies in bucket 0, the p90 too (rank 8 of
        // 0..9), and the query layer turns each bucket into its representative time.
        FunnelQueries.Step step2 = new FunnelQueries.Step(2, 10, 9_000, new TreeMap<>(Map.of(0, 9L, 100, 1L)));
        FunnelQueries.Funnel summed = new FunnelQueries.Funnel("checkout", FROM, TO, List.of(
                new FunnelQueries.Step(1, 20, 0), step2));

        Journeys.Step shown = Journeys.funnel(summed, List.of()).steps().get(1);

        assertThat(shown.medianMsFromPrevious()).isEqualTo(step2.medianMillis().orElseThrow());
        assertThat(shown.p90MsFromPrevious()).isEqualTo(step2.p90Millis().orElseThrow());
        assertThat(shown.medianMsFromPrevious()).isBetween(1L, 2L);
        assertThat(Journeys.funnel(summed, List.of()).csvRows().get(1)).containsExactly("all", "2", "10", "50.0",
                "50.0", "900", String.valueOf(shown.medianMsFromPrevious()), String.valueOf(shown.p90MsFromPrevious()));
    }

    @Test
    void periodsACohortHasNotReachedAreNullAndReachedOnesWithoutReturnsAreZero() {
        Map<LocalDate, Map<Integer, Long>> cohorts = new TreeMap<>();
        cohorts.put(LocalDate.parse("2026-11-20"), Map.of(0, 4L, 1, 2L, 3, 1L));
        cohorts.put(LocalDate.parse("2026-11-22"), Map.of(0, 5L, 1, 1L));
        RetentionQueries.Triangle triangle = new RetentionQueries.Triangle("signins", "day", cohorts);

        Journeys.Triangle answer = Journeys.triangle(triangle, Journeys.periods(triangle),
                LocalDate.parse("2026-11-23"));

        assertThat(answer.periods()).isEqualTo(3);
        assertThat(answer.cohorts().get(0).returned()).containsExactly(2L, 0L, 1L);
        assertThat(answer.cohorts().get(0).percent()).containsExactly(50.0, 0.0, 25.0);
        assertThat(answer.cohorts().get(1).returned()).containsExactly(1L, null, null);
        assertThat(answer.csvColumns()).containsExactly("cohort", "cohort_users", "day", "returned", "returned_pct");
        assertThat(answer.csvRows()).containsExactly(
                List.of("2026-11-20", "4", "1", "2", "50.0"), List.of("2026-11-20", "4", "2", "0", "0.0"),
                List.of("2026-11-20", "4", "3", "1", "25.0"), List.of("2026-11-22", "5", "1", "1", "20.0"));
    }

    @Test
    void weeksAreReachedOnTheFirstDayOfTheWeek() {
        RetentionQueries.Triangle triangle = new RetentionQueries.Triangle("signins", "week_or_later",
                Map.of(LocalDate.parse("2026-11-01"), Map.of(0, 3L, 1, 1L)));
        Journeys.Triangle answer = Journeys.triangle(triangle, 3, LocalDate.parse("2026-11-15"));
        assertThat(answer.cohorts().get(0).returned()).containsExactly(1L, 0L, null);
        assertThat(answer.csvColumns()).contains("week");
    }
}
