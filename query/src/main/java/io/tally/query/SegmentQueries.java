package io.tally.query;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.schema.TallyTables;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads segments as an analyst would with {@code deploy/queries.cql}: the members of a segment, its daily entries or
 * total members over a range of days, and the segments of one user.
 */
public final class SegmentQueries extends KeyspaceQueries {
    /** How far back {@link #sizes} looks for the members who entered before the range. */
    private static final long HISTORY_DAYS = 3_660;
    private static final List<String> MEMBERSHIP = List.of("qualified_on", "last_activity", "events");

    public SegmentQueries(CqlSession session, String keyspace) {
        super(session, keyspace);
    }

    /**
     * The first {@code limit} members of a segment by user id. Each of the segment's buckets is sorted by user id, so
     * the first {@code limit} of each bucket, merged, are exactly the first {@code limit} overall.
     */
    public Listing members(String segment, int limit) {
        PreparedStatement select = session.prepare("SELECT user_id, " + String.join(", ", MEMBERSHIP) + " FROM "
                + keyspace + ".segment_members WHERE segment = ? AND bucket = ? LIMIT ?");
        List<List<String>> rows = new ArrayList<>();
        for (int bucket = 0; bucket < TallyTables.SEGMENT_BUCKETS; bucket++) {
            for (Row row : session.execute(select.bind(segment, bucket, limit))) {
                rows.add(membership(row, "user_id"));
            }
        }
        if (rows.isEmpty()) {
            throw new QueryException("segment '" + segment + "' has no members (segment names are case-sensitive)");
        }
        rows.sort(Comparator.comparing(row -> row.get(0)));
        return new Listing("members of '" + segment + "' (first " + limit + " by user id)",
                columns("user_id"), rows.subList(0, Math.min(limit, rows.size())));
    }

    /** The segments a user is a member of, by segment name. */
    public Listing userSegments(String user) {
        PreparedStatement select = session.prepare("SELECT segment, " + String.join(", ", MEMBERSHIP) + " FROM "
                + keyspace + ".user_segments WHERE user_id = ?");
        List<List<String>> rows = new ArrayList<>();
        for (Row row : session.execute(select.bind(user))) {
            rows.add(membership(row, "segment"));
        }
        if (rows.isEmpty()) {
            throw new QueryException("user '" + user + "' is in no segment (user ids are case-sensitive)");
        }
        return new Listing("segments of '" + user + "'", columns("segment"), rows);
    }

    /**
     * Per day of {@code [from, to)}: the users who entered the segment that day, or with {@code total} the members at
     * the end of that day (everyone who entered on or before it, counted back {@value #HISTORY_DAYS} days).
     */
    public Series sizes(String segment, Instant from, Instant to, boolean total) {
        List<Instant> days = SeriesQueries.buckets(from, to, Granularity.DAY);
        Instant first = total ? days.get(0).minus(Duration.ofDays(HISTORY_DAYS)) : days.get(0);
        Map<Instant, Long> entered = entered(segment, first, Granularity.DAY.next(days.get(days.size() - 1)));
        if (entered.isEmpty()) {
            throw new QueryException("no users entered segment '" + segment + "' " + (total ? "" : "from " + from + " ")
                    + "up to " + to + " (segment names are case-sensitive)");
        }
        long members = 0;
        for (Map.Entry<Instant, Long> day : entered.entrySet()) {
            members += day.getKey().isBefore(days.get(0)) ? day.getValue() : 0;
        }
        List<Series.Point> points = new ArrayList<>(days.size());
        for (Instant day : days) {
            long count = entered.getOrDefault(day, 0L);
            members += count;
            points.add(new Series.Point(Series.bucketLabel(day, Granularity.DAY), total ? members : count));
        }
        return new Series((total ? "members of '" : "users entering '") + segment + "' per day", "day", points);
    }

    /** Entries per day from {@code from} (inclusive) to {@code to} (exclusive), one query per month partition. */
    private Map<Instant, Long> entered(String segment, Instant from, Instant to) {
        PreparedStatement select = session.prepare("SELECT day, entered FROM " + keyspace
                + ".segment_sizes_by_day WHERE segment = ? AND month = ?");
        Set<Object> months = new LinkedHashSet<>();
        for (Instant day = from; day.isBefore(to); day = day.plus(Duration.ofDays(28))) {
            months.add(Granularity.DAY.partitionOf(day));
        }
        months.add(Granularity.DAY.partitionOf(to.minusMillis(1)));
        Map<Instant, Long> entered = new TreeMap<>();
        for (Object month : months) {
            for (Row row : session.execute(select.bind(segment, month))) {
                Instant day = row.getLocalDate(0).atStartOfDay(ZoneOffset.UTC).toInstant();
                if (!day.isBefore(from) && day.isBefore(to) && row.getLong(1) != 0) {
                    entered.put(day, row.getLong(1));
                }
            }
        }
        return entered;
    }

    private static List<String> columns(String first) {
        List<String> columns = new ArrayList<>(List.of(first));
        columns.addAll(MEMBERSHIP);
        return columns;
    }

    private static List<String> membership(Row row, String first) {
        LocalDate qualified = row.getLocalDate("qualified_on");
        return List.of(row.getString(first), String.valueOf(qualified),
                String.valueOf(row.getInstant("last_activity")), String.valueOf(row.getLong("events")));
    }
}
