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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads counts, distinct users and breakdowns for an event and a time range from Tally's tables, one CQL query per
 * table partition the range covers, exactly as an analyst would with {@code deploy/queries.cql}.
 * Ranges are half-open, {@code [from, to)}, in UTC, rounded down to the granularity.
 */
public final class SeriesQueries extends KeyspaceQueries {
    /** Longest range per granularity, so a typo cannot start a scan of years of minutes. */
    private static final Map<Granularity, Duration> MAX_RANGE = Map.of(
            Granularity.MINUTE, Duration.ofDays(2),
            Granularity.HOUR, Duration.ofDays(93),
            Granularity.DAY, Duration.ofDays(3_660));

    public SeriesQueries(CqlSession session, String keyspace) {
        super(session, keyspace);
    }

    /** Events per bucket; every bucket of the range is present, empty ones as 0. */
    public Series counts(String event, Instant from, Instant to, Granularity granularity) {
        List<Instant> buckets = buckets(from, to, granularity);
        Map<Instant, Long> found = read(granularity.countTable, "count", event, buckets, granularity);
        return new Series("events '" + event + "' per " + name(granularity), name(granularity),
                points(buckets, found, granularity));
    }

    /** Distinct users (userId, else anonymousId) per day. */
    public Series uniqueUsers(String event, Instant from, Instant to) {
        List<Instant> buckets = buckets(from, to, Granularity.DAY);
        Map<Instant, Long> found = read("unique_users_by_day", "users", event, buckets, Granularity.DAY);
        String what = TallyTables.ALL_EVENTS.equals(event) ? "active users" : "users of '" + event + "'";
        return new Series(what + " per day", "day", points(buckets, found, Granularity.DAY), false);
    }

    /** Events per value of {@code property} over the range, largest first. */
    public Series breakdown(String event, String property, Instant from, Instant to, Granularity granularity) {
        if (granularity == Granularity.MINUTE) {
            throw new QueryException("breakdowns are kept per hour and per day, not per minute");
        }
        List<Instant> buckets = buckets(from, to, granularity);
        String table = granularity == Granularity.HOUR ? "property_counts_by_hour" : "property_counts_by_day";
        String partition = granularity == Granularity.HOUR ? "day" : "month";
        PreparedStatement select = session.prepare("SELECT " + granularity.bucketColumn + ", value, count FROM "
                + keyspace + "." + table + " WHERE event = ? AND property = ? AND " + partition + " = ?");
        Set<Object> partitions = new LinkedHashSet<>();
        buckets.forEach(b -> partitions.add(granularity.partitionOf(b)));
        Set<Object> wanted = new java.util.HashSet<>();
        buckets.forEach(b -> wanted.add(granularity.bucketValue(b)));
        Map<String, Long> byValue = new HashMap<>();
        for (Object p : partitions) {
            for (Row row : session.execute(select.bind(event, property, p))) {
                if (wanted.contains(row.getObject(0))) {
                    byValue.merge(row.getString(1), row.getLong(2), Long::sum);
                }
            }
        }
        if (byValue.isEmpty()) {
            throw new QueryException("no breakdown of '" + event + "' by '" + property + "' from " + from + " to " + to
                    + " (is '" + property + "' in transforms.breakdown_properties? names are case-sensitive)");
        }
        List<Series.Point> points = byValue.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> new Series.Point(e.getKey(), e.getValue()))
                .toList();
        return new Series("events '" + event + "' by " + property, property, points);
    }

    private Map<Instant, Long> read(String table, String valueColumn, String event, List<Instant> buckets,
            Granularity granularity) {
        PreparedStatement select = session.prepare("SELECT " + granularity.bucketColumn + ", " + valueColumn
                + " FROM " + keyspace + "." + table + " WHERE event = ? AND " + granularity.partitionColumn + " = ?");
        Set<Object> partitions = new LinkedHashSet<>();
        buckets.forEach(b -> partitions.add(granularity.partitionOf(b)));
        Map<Instant, Long> found = new TreeMap<>();
        for (Object partition : partitions) {
            for (Row row : session.execute(select.bind(event, partition))) {
                Object bucket = row.getObject(0);
                Instant start = bucket instanceof LocalDate day ? day.atStartOfDay(ZoneOffset.UTC).toInstant() : (Instant) bucket;
                found.put(start, row.getLong(1));
            }
        }
        if (found.keySet().stream().noneMatch(buckets::contains)) {
            throw new QueryException("no '" + event + "' events from " + buckets.get(0) + " to "
                    + granularity.next(buckets.get(buckets.size() - 1)) + " (event names are case-sensitive;"
                    + " '" + TallyTables.ALL_EVENTS + "' means all events)");
        }
        return found;
    }

    private static List<Series.Point> points(List<Instant> buckets, Map<Instant, Long> found, Granularity granularity) {
        List<Series.Point> points = new ArrayList<>(buckets.size());
        for (Instant bucket : buckets) {
            points.add(new Series.Point(Series.bucketLabel(bucket, granularity), found.getOrDefault(bucket, 0L)));
        }
        return points;
    }

    static List<Instant> buckets(Instant from, Instant to, Granularity granularity) {
        Instant first = granularity.floor(from);
        if (!to.isAfter(first)) {
            throw new QueryException("empty range: --to (" + to + ") must be after --from (" + from + ")");
        }
        if (Duration.between(first, to).compareTo(MAX_RANGE.get(granularity)) > 0) {
            throw new QueryException("range too long for " + name(granularity) + " buckets (at most "
                    + MAX_RANGE.get(granularity).toDays() + " days); use a coarser --granularity");
        }
        List<Instant> buckets = new ArrayList<>();
        for (Instant b = first; b.isBefore(to); b = granularity.next(b)) {
            buckets.add(b);
        }
        return buckets;
    }

    private static String name(Granularity granularity) {
        return granularity.name().toLowerCase();
    }
}
