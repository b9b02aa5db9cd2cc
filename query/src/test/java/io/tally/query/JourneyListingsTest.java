package io.tally.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.state.schema.StepTimeBuckets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JourneyListingsTest {

    @Test
    void funnelRowsShowSharesOfEnteredAndOfThePreviousStepAndTheMeanMedianAndP90Time() {
        // step 2: 30 users at 0 ms and 20 at 150 s (mean 1 min, median 0, p90 150 s within 2%);
        // step 3: no buckets (rows from before the buckets existed), so no median.
        TreeMap<Integer, Long> step2 = new TreeMap<>(Map.of(StepTimeBuckets.bucket(0), 30L,
                StepTimeBuckets.bucket(150_000), 20L));
        FunnelQueries.Funnel funnel = new FunnelQueries.Funnel("checkout", Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-11-02T00:00:00Z"), List.of(new FunnelQueries.Step(1, 200, 0),
                        new FunnelQueries.Step(2, 50, 50 * 60_000L, step2),
                        new FunnelQueries.Step(3, 10, 10 * 7_200_000L)));
        Listing listing = funnel.listing(true);
        assertThat(listing.columns()).containsExactly("step", "users", "of_entered", "of_previous",
                "mean_from_previous", "median_from_previous", "p90_from_previous", "");
        String p90 = Duration.ofMillis(Math.round(StepTimeBuckets.value(StepTimeBuckets.bucket(150_000)))).toString();
        assertThat(p90).as("the mapping never changes under stored rows").isEqualTo("PT2M27.471S");
        assertThat(listing.rows()).containsExactly(
                List.of("1", "200", "100.0%", "100.0%", "", "", "", "#".repeat(40)),
                List.of("2", "50", "25.0%", "25.0%", "PT1M", "PT0S", p90, "#".repeat(10)),
                List.of("3", "10", "5.0%", "20.0%", "PT2H", "", "", "##"));
        assertThat(funnel.listing(false).columns()).hasSize(7);
    }

    @Test
    void retentionTriangleShowsEachPeriodAsUsersAndShareOfTheCohort() {
        Map<LocalDate, Map<Integer, Long>> cohorts = new TreeMap<>();
        cohorts.put(LocalDate.parse("2026-11-01"), new TreeMap<>(Map.of(0, 40L, 1, 10L, 2, 4L)));
        cohorts.put(LocalDate.parse("2026-11-02"), new TreeMap<>(Map.of(0, 8L, 1, 2L)));
        Listing listing = new RetentionQueries.Triangle("signups", "day", cohorts).listing();
        assertThat(listing.columns()).containsExactly("cohort", "users", "d1", "d2");
        assertThat(listing.rows()).containsExactly(
                List.of("2026-11-01", "40", "10 (25.0%)", "4 (10.0%)"),
                List.of("2026-11-02", "8", "2 (25.0%)", ""));
        assertThat(new RetentionQueries.Triangle("signups", "week_or_later", cohorts).listing().columns())
                .containsExactly("cohort", "users", "w1", "w2");
    }

    @Test
    void sessionsPerDayShowMeansAndTheDistributionsShowSharesOfAllSessions() {
        Map<LocalDate, Map<String, Map<Integer, Long>>> days = new TreeMap<>();
        days.put(LocalDate.parse("2026-11-01"), Map.of("sessions", Map.of(0, 4L), "total_ms", Map.of(0, 240_000L),
                "total_events", Map.of(0, 10L), "length_s", Map.of(0, 1L, 60, 3L), "events", Map.of(1, 1L, 3, 3L)));
        days.put(LocalDate.parse("2026-11-02"), Map.of("sessions", Map.of(0, 1L), "total_ms", Map.of(0, 0L),
                "total_events", Map.of(0, 1L), "length_s", Map.of(0, 1L), "events", Map.of(1, 1L)));
        SessionQueries.Sessions sessions = new SessionQueries.Sessions(List.of("ios", "other"),
                Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-11-03T00:00:00Z"), days);
        Listing perDay = sessions.listing(SessionQueries.By.DAY, true);
        assertThat(perDay.columns()).containsExactly("day", "sessions", "mean_length", "mean_events", "");
        assertThat(perDay.rows()).containsExactly(List.of("2026-11-01", "4", "PT1M", "2.5", "#".repeat(40)),
                List.of("2026-11-02", "1", "PT0S", "1.0", "#".repeat(10)));
        Listing lengths = sessions.listing(SessionQueries.By.LENGTH, false);
        assertThat(lengths.columns()).containsExactly("length_from", "sessions", "share");
        assertThat(lengths.rows()).containsExactly(List.of("PT0S", "2", "40.0%"), List.of("PT1M", "3", "60.0%"));
        assertThat(sessions.listing(SessionQueries.By.EVENTS, false).rows())
                .containsExactly(List.of("1", "2", "40.0%"), List.of("3", "3", "60.0%"));
    }
}
