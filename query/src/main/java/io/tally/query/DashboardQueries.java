package io.tally.query;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.schema.TallyTables;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The queries a dashboard needs beyond {@link SeriesQueries} and {@link SegmentQueries}: which events, segments and
 * reasons exist, the events ranked by count, rejects per reason, a breakdown per bucket (one series per value, to
 * stack), and a segment's members a page at a time. Statements are prepared once; every name is a bound value.
 */
public final class DashboardQueries extends KeyspaceQueries {
    private final PreparedStatement dayCounts;
    private final PreparedStatement rejectCounts;
    private final PreparedStatement membersAfter;
    private final Map<Granularity, PreparedStatement> propertyCounts = new HashMap<>();

    public DashboardQueries(CqlSession session, String keyspace) {
        super(session, keyspace);
        this.dayCounts = session.prepare("SELECT day, count FROM " + this.keyspace
                + ".event_counts_by_day WHERE event = ? AND month = ?");
        this.rejectCounts = session.prepare("SELECT hour, count FROM " + this.keyspace
                + ".rejected_counts_by_hour WHERE reason = ? AND day = ?");
        this.membersAfter = session.prepare("SELECT user_id, qualified_on, last_activity, events FROM " + this.keyspace
                + ".segment_members WHERE segment = ? AND bucket = ? AND user_id > ? LIMIT ?");
        propertyCounts.put(Granularity.HOUR, session.prepare("SELECT hour, value, count FROM " + this.keyspace
                + ".property_counts_by_hour WHERE event = ? AND property = ? AND day = ?"));
        propertyCounts.put(Granularity.DAY, session.prepare("SELECT day, value, count FROM " + this.keyspace
                + ".property_counts_by_day WHERE event = ? AND property = ? AND month = ?"));
    }

    /**
     * Checks a range as every series query does ({@code to} after {@code from}, not longer than the granularity
     * allows) and returns its buckets.
     */
    public static List<Instant> buckets(Instant from, Instant to, Granularity granularity) {
        return SeriesQueries.buckets(from, to, granularity);
    }

    /** The names of the events ever counted, without {@value TallyTables#ALL_EVENTS}, sorted. */
    public Set<String> eventNames() {
        Set<String> names = new TreeSet<>();
        for (Row row : session.execute("SELECT DISTINCT event, month FROM " + keyspace + ".event_counts_by_day")) {
            if (!TallyTables.ALL_EVENTS.equals(row.getString(0))) {
                names.add(row.getString(0));
            }
        }
        return names;
    }

    /** The names of the segments anyone ever entered, sorted. */
    public Set<String> segmentNames() {
        return partitionNames("segment", "segment_sizes_by_day");
    }

    /** The names of the funnels anyone ever entered, sorted. */
    public Set<String> funnelNames() {
        return partitionNames("funnel", "funnel_steps_by_day");
    }

    /** The names of the retention definitions with a cohort, sorted. */
    public Set<String> retentionNames() {
        return partitionNames("retention", "retention_by_day");
    }

    /** The first partition-key column of a table partitioned by (name, month), from one scan of its partition keys. */
    private Set<String> partitionNames(String column, String table) {
        Set<String> names = new TreeSet<>();
        for (Row row : session.execute("SELECT DISTINCT " + column + ", month FROM " + keyspace + "." + table)) {
            names.add(row.getString(0));
        }
        return names;
    }

    /**
     * The {@code limit} events counted most over the days of {@code [from, to)}, largest first (ties by name). Only
     * the (event, month) partitions of the range are read, found with one scan of the partition keys.
     */
    public Series topEvents(Instant from, Instant to, int limit) {
        List<Instant> days = buckets(from, to, Granularity.DAY);
        Set<Object> months = new HashSet<>();
        days.forEach(day -> months.add(Granularity.DAY.partitionOf(day)));
        LocalDate first = LocalDate.ofInstant(days.get(0), ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(days.get(days.size() - 1), ZoneOffset.UTC);
        List<Row> partitions = new ArrayList<>();
        for (Row row : session.execute("SELECT DISTINCT event, month FROM " + keyspace + ".event_counts_by_day")) {
            if (!TallyTables.ALL_EVENTS.equals(row.getString(0)) && months.contains(row.getString(1))) {
                partitions.add(row);
            }
        }
        Map<String, Long> byEvent = new HashMap<>();
        partitions.stream()
                .map(p -> session.executeAsync(dayCounts.bind(p.getString(0), p.getString(1)))
                        .thenApply(rs -> Map.entry(p.getString(0), sum(rs.currentPage(), first, last)))
                        .toCompletableFuture())
                .toList()
                .forEach(f -> {
                    Map.Entry<String, Long> e = f.join();
                    byEvent.merge(e.getKey(), e.getValue(), Long::sum);
                });
        List<Series.Point> points = byEvent.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .map(e -> new Series.Point(e.getKey(), e.getValue()))
                .toList();
        return new Series("top " + limit + " events", "event", points);
    }

    /** Each page of an async result holds the whole partition here: a month has at most 31 rows. */
    private static long sum(Iterable<Row> rows, LocalDate first, LocalDate last) {
        long total = 0;
        for (Row row : rows) {
            LocalDate day = row.getLocalDate(0);
            if (!day.isBefore(first) && !day.isAfter(last)) {
                total += row.getLong(1);
            }
        }
        return total;
    }

    /** Records rejected per reason over the hours of {@code [from, to)} (by time of receipt), largest first. */
    public Series rejectsByReason(Instant from, Instant to) {
        List<Instant> hours = buckets(from, to, Granularity.HOUR);
        Set<LocalDate> days = new HashSet<>();
        hours.forEach(h -> days.add(LocalDate.ofInstant(h, ZoneOffset.UTC)));
        Set<String> reasons = new TreeSet<>();
        for (Row row : session.execute("SELECT DISTINCT reason, day FROM " + keyspace + ".rejected_counts_by_hour")) {
            if (days.contains(row.getLocalDate(1))) {
                reasons.add(row.getString(0));
            }
        }
        Set<Instant> wanted = new HashSet<>(hours);
        Map<String, Long> byReason = new TreeMap<>();
        for (String reason : reasons) {
            for (LocalDate day : days) {
                for (Row row : session.execute(rejectCounts.bind(reason, day))) {
                    if (wanted.contains(row.getInstant(0))) {
                        byReason.merge(reason, row.getLong(1), Long::sum);
                    }
                }
            }
        }
        List<Series.Point> points = byReason.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .map(e -> new Series.Point(e.getKey(), e.getValue()))
                .toList();
        return new Series("records rejected by reason", "reason", points);
    }

    /**
     * Events of {@code event} per bucket and value of {@code property}: one series per value (largest total first),
     * each with every bucket of the range, empty ones as 0. Empty when nothing was counted in the range.
     */
    public List<Series> breakdownOverTime(String event, String property, Instant from, Instant to,
            Granularity granularity) {
        if (granularity == Granularity.MINUTE) {
            throw new QueryException("breakdowns are kept per hour and per day, not per minute");
        }
        List<Instant> buckets = buckets(from, to, granularity);
        Set<Object> partitions = new LinkedHashSet<>();
        buckets.forEach(b -> partitions.add(granularity.partitionOf(b)));
        Map<Object, Instant> wanted = new HashMap<>();
        buckets.forEach(b -> wanted.put(granularity.bucketValue(b), b));
        Map<String, Map<Instant, Long>> byValue = new HashMap<>();
        for (Object partition : partitions) {
            for (Row row : session.execute(propertyCounts.get(granularity).bind(event, property, partition))) {
                Instant bucket = wanted.get(row.getObject(0));
                if (bucket != null) {
                    byValue.computeIfAbsent(row.getString(1), v -> new HashMap<>())
                            .merge(bucket, row.getLong(2), Long::sum);
                }
            }
        }
        Comparator<Map.Entry<String, Map<Instant, Long>>> largest = Comparator.comparingLong(
                e -> -e.getValue().values().stream().mapToLong(Long::longValue).sum());
        return byValue.entrySet().stream()
                .sorted(largest.thenComparing(Map.Entry::getKey))
                .map(e -> new Series(e.getKey(), granularity.name().toLowerCase(), buckets.stream()
                        .map(b -> new Series.Point(Series.bucketLabel(b, granularity), e.getValue().getOrDefault(b, 0L)))
                        .toList()))
                .toList();
    }

    /**
     * One page of a segment's members by user id: the first {@code limit} after {@code after} (empty: from the
     * start). Each bucket is sorted by user id, so the first {@code limit} after {@code after} of each bucket, merged,
     * are exactly the page.
     */
    public Listing members(String segment, String after, int limit) {
        List<List<String>> rows = new ArrayList<>();
        for (int bucket = 0; bucket < TallyTables.SEGMENT_BUCKETS; bucket++) {
            for (Row row : session.execute(membersAfter.bind(segment, bucket, after, limit))) {
                Instant activity = row.getInstant(2);
                rows.add(List.of(row.getString(0), String.valueOf(row.getLocalDate(1)),
                        String.valueOf(activity == null ? null : activity.truncatedTo(ChronoUnit.MILLIS)),
                        String.valueOf(row.getLong(3))));
            }
        }
        rows.sort(Comparator.comparing(row -> row.get(0)));
        return new Listing("members of '" + segment + "'", List.of("user_id", "qualified_on", "last_activity", "events"),
                rows.subList(0, Math.min(limit, rows.size())));
    }
}
