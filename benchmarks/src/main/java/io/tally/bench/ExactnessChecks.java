package io.tally.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.schema.TallyTables;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks what a benchmark topology wrote to its keyspace against the workload's own truth: counts per event (summed
 * over the hourly counts), daily active users and rejected records. A benchmark whose numbers are wrong measures
 * nothing, so every measured run is checked this way and the result goes into the JSON beside its rates.
 */
final class ExactnessChecks {
    private final CqlSession session;

    ExactnessChecks(CqlSession session) {
        this.session = session;
    }

    /** Every hourly count summed per event, the all-events total ({@value TallyTables#ALL_EVENTS}) among them. */
    private Map<String, Long> hourlyCountsPerEvent(String keyspace) {
        Map<String, Long> counts = new HashMap<>();
        for (Row row : session.execute("SELECT event, count FROM " + keyspace + ".event_counts_by_hour")) {
            counts.merge(row.getString(0), row.getLong(1), Long::sum);
        }
        return counts;
    }

    Map<String, Long> countsPerEvent(String keyspace) {
        Map<String, Long> counts = hourlyCountsPerEvent(keyspace);
        counts.remove(TallyTables.ALL_EVENTS);
        return counts;
    }

    /**
     * Counts per event, daily active users and rejected records against the truth; true if all are exact. The hourly
     * counts reaching the total does not mean every other state has committed the last batch, so a difference is
     * looked at again for a while before it is reported.
     */
    boolean putExactness(Map<String, Object> result, String keyspace, BenchmarkWorkload.Truth truth)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!compare(result, keyspace, truth) && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        return compare(result, keyspace, truth);
    }

    private boolean compare(Map<String, Object> result, String keyspace, BenchmarkWorkload.Truth truth) {
        boolean counts = countsPerEvent(keyspace).equals(truth.countsPerEvent());
        Map<LocalDate, Long> activeUsers = new HashMap<>();
        for (Row row : session.execute("SELECT event, day, users FROM " + keyspace + ".unique_users_by_day")) {
            if (TallyTables.ALL_EVENTS.equals(row.getString(0))) {
                activeUsers.put(row.getLocalDate(1), row.getLong(2));
            }
        }
        boolean users = activeUsers.equals(truth.activeUsersPerDay());
        long rejected = 0;
        for (Row row : session.execute("SELECT count FROM " + keyspace + ".rejected_counts_by_hour")) {
            rejected += row.getLong(0);
        }
        boolean rejects = rejected == truth.rejected();
        result.put("counts_exact", counts);
        result.put("daily_active_users_exact", users);
        result.put("rejected_exact", rejects);
        return counts && users && rejects;
    }
}
