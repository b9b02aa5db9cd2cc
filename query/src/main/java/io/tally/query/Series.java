package io.tally.query;

import java.time.Instant;
import java.util.List;

/**
 * The answer to a query: one labelled value per bucket (or per property value, for breakdowns), in order.
 *
 * @param title what was asked, e.g. {@code count of 'Order Completed' per hour}
 * @param label the name of the first column (hour, day, value, …)
 * @param summable whether the points add up to a meaningful total: counts do; distinct users per day do not (a
 *     user active on two days is one user, not two), so their series prints no total
 */
public record Series(String title, String label, List<Point> points, boolean summable) {

    public Series(String title, String label, List<Point> points) {
        this(title, label, points, true);
    }

    public record Point(String label, long value) {
    }

    public long total() {
        return points.stream().mapToLong(Point::value).sum();
    }

    static String bucketLabel(Instant bucket, Granularity granularity) {
        String text = bucket.toString();
        return switch (granularity) {
            case DAY -> text.substring(0, 10);
            case HOUR, MINUTE -> text.substring(0, 16).replace('T', ' ');
        };
    }
}
