package io.tally.state.schema;

import io.tally.state.cassandra.KeyMapper;
import io.tally.state.cassandra.LongCodec;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowBinder;
import io.tally.state.cassandra.RowTable;
import io.tally.state.journey.JourneyState;
import io.tally.state.journey.JourneyStateCodec;
import io.tally.state.segment.SegmentProgress;
import io.tally.state.segment.SegmentProgressCodec;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The tables of {@code deploy/schema.cql}, as the topology writes them. Each constant's key mapper says which
 * Trident group-by key the table expects; times in Trident keys are epoch milliseconds of the bucket's start (UTC).
 */
public final class TallyTables {

    /** The event name under which counts over all events are kept, beside each event's own. */
    public static final String ALL_EVENTS = "*";

    /** Trident key {@code [event, minuteStart]} → row {@code ((event, hour), minute)}: one hour of one event per partition. */
    public static final MapTable<Long> EVENT_COUNTS_BY_MINUTE = new MapTable<>("event_counts_by_minute",
            List.of("event", "hour"), List.of("minute"), new NameBucketKey(Parent.HOUR), new LongCodec("count"));

    /** Trident key {@code [event, hourStart]} → row {@code ((event, day), hour)}: one day of one event per partition. */
    public static final MapTable<Long> EVENT_COUNTS_BY_HOUR = new MapTable<>("event_counts_by_hour",
            List.of("event", "day"), List.of("hour"), new NameBucketKey(Parent.DAY), new LongCodec("count"));

    /** Trident key {@code [event, dayStart]} → row {@code ((event, month), day)}: one month of one event per partition. */
    public static final MapTable<Long> EVENT_COUNTS_BY_DAY = new MapTable<>("event_counts_by_day",
            List.of("event", "month"), List.of("day"), new NameBucketKey(Parent.MONTH), new LongCodec("count"));

    /** Trident key {@code [event, property, value, hourStart]} → row {@code ((event, property, day), hour, value)}. */
    public static final MapTable<Long> PROPERTY_COUNTS_BY_HOUR = new MapTable<>("property_counts_by_hour",
            List.of("event", "property", "day"), List.of("hour", "value"), new PropertyBucketKey(Parent.DAY),
            new LongCodec("count"));

    /** Trident key {@code [event, property, value, dayStart]} → row {@code ((event, property, month), day, value)}. */
    public static final MapTable<Long> PROPERTY_COUNTS_BY_DAY = new MapTable<>("property_counts_by_day",
            List.of("event", "property", "month"), List.of("day", "value"), new PropertyBucketKey(Parent.MONTH),
            new LongCodec("count"));

    /** Trident key {@code [event, dayStart]} → row {@code ((event, month), day)}: distinct users per event and day. */
    public static final MapTable<Long> UNIQUE_USERS_BY_DAY = new MapTable<>("unique_users_by_day",
            List.of("event", "month"), List.of("day"), new NameBucketKey(Parent.MONTH), new LongCodec("users"));

    /** Trident key {@code [reason code, hourStart]} → row {@code ((reason, day), hour)}. */
    public static final MapTable<Long> REJECTED_COUNTS_BY_HOUR = new MapTable<>("rejected_counts_by_hour",
            List.of("reason", "day"), List.of("hour"), new NameBucketKey(Parent.DAY), new LongCodec("count"));

    /** Columns of {@code rejected_events}, in the order its binder supplies them. */
    public static final List<String> REJECTED_EVENTS_COLUMNS = List.of(
            "reason", "hour", "source", "position", "received_at", "detail", "payload", "truncated");

    /** {@code rejected_events}, one row per rejected record, with the binder that fills it from a tuple. */
    public static RowTable rejectedEvents(RowBinder binder) {
        return new RowTable("rejected_events", List.of("reason", "hour"), REJECTED_EVENTS_COLUMNS, binder);
    }

    /**
     * Buckets of a segment's users: {@code segment_progress} and {@code segment_members} keep one segment in this many
     * partitions, by a hash of the user, so a segment of ten million users is 32 partitions of about 300,000 rows.
     */
    public static final int SEGMENT_BUCKETS = 32;

    /**
     * Trident key {@code [segment, user]} → row {@code ((segment, bucket), user_id)}: each user's progress towards each
     * segment (see {@code SegmentProgress}); exactly-once bookkeeping, not for analysts.
     */
    public static final MapTable<SegmentProgress> SEGMENT_PROGRESS = new MapTable<>("segment_progress",
            List.of("segment", "bucket"), List.of("user_id"), new SegmentUserKey(), new SegmentProgressCodec());

    /** Trident key {@code [segment, dayStart]} → row {@code ((segment, month), day)}: users who entered per day. */
    public static final MapTable<Long> SEGMENT_SIZES_BY_DAY = new MapTable<>("segment_sizes_by_day",
            List.of("segment", "month"), List.of("day"), new NameBucketKey(Parent.MONTH), new LongCodec("entered"));

    /** Columns of {@code segment_members}, in the order its binder supplies them. */
    public static final List<String> SEGMENT_MEMBERS_COLUMNS = List.of(
            "segment", "bucket", "user_id", "qualified_on", "last_activity", "events");

    /** {@code segment_members}: one row per member, rewritten whenever a batch brings the member matching events. */
    public static RowTable segmentMembers(RowBinder binder) {
        return new RowTable("segment_members", List.of("segment", "bucket"), SEGMENT_MEMBERS_COLUMNS, binder);
    }

    /** Columns of {@code user_segments}, in the order its binder supplies them. */
    public static final List<String> USER_SEGMENTS_COLUMNS = List.of(
            "user_id", "segment", "qualified_on", "last_activity", "events");

    /** {@code user_segments}: the segments of a user, one partition per user. */
    public static RowTable userSegments(RowBinder binder) {
        return new RowTable("user_segments", List.of("user_id"), USER_SEGMENTS_COLUMNS, binder);
    }

    /**
     * The bucket of a user in a segment's partitions. {@link String#hashCode()} is specified by the language, so every
     * JVM (and an analyst's query) agrees on it.
     */
    public static int segmentBucket(String user) {
        return Math.floorMod(user.hashCode(), SEGMENT_BUCKETS);
    }

    /**
     * Trident key {@code [definition, user]} → row {@code ((definition, bucket), user_id)}: each user's state in each
     * funnel and retention definition (see {@code JourneyState}), in the buckets segments use; exactly-once
     * bookkeeping, not for analysts.
     */
    public static final MapTable<JourneyState> USER_JOURNEYS = new MapTable<>("user_journeys",
            List.of("definition", "bucket"), List.of("user_id"), new SegmentUserKey(), new JourneyStateCodec());

    /**
     * Trident key {@code [retention, cohortDayStart, kind, period]} → row {@code ((retention, month), cohort, kind,
     * period)}: users of the cohort day who returned on day / in week {@code period} ({@code day}, {@code week}; period
     * 0 is the cohort), or on that day / in that week or later ({@code day_or_later}, {@code week_or_later}).
     */
    public static final MapTable<Long> RETENTION_BY_DAY = new MapTable<>("retention_by_day",
            List.of("retention", "month"), List.of("cohort", "kind", "period"), new NameDayKindPeriodKey(),
            new LongCodec("users"));

    /**
     * Trident key {@code [funnel, entryDayStart, step]} → row {@code ((funnel, month), day, step)}: users who entered
     * the funnel that day and reached the step within its window.
     */
    public static final MapTable<Long> FUNNEL_STEPS_BY_DAY = new MapTable<>("funnel_steps_by_day",
            List.of("funnel", "month"), List.of("day", "step"), new NameDayStepKey(), new LongCodec("users"));

    /**
     * The same key: of the users counted in {@link #FUNNEL_STEPS_BY_DAY}, the sum of their milliseconds from the
     * previous step to this one (the mean is {@code total_ms / users}).
     */
    public static final MapTable<Long> FUNNEL_STEP_MS_BY_DAY = new MapTable<>("funnel_step_ms_by_day",
            List.of("funnel", "month"), List.of("day", "step"), new NameDayStepKey(), new LongCodec("total_ms"));

    /**
     * Trident key {@code [funnel, entryDayStart, step, bucket]} → row {@code ((funnel, month), day, step, bucket)}: of
     * the users counted in {@link #FUNNEL_STEPS_BY_DAY}, how many took a time from the previous step that falls in the
     * bucket (see {@link StepTimeBuckets}: DDSketch's logarithmic mapping, 2% relative accuracy; bucket -1 is 0 ms).
     * The median and p90 per entry day and step are read from the cumulative counts.
     */
    public static final MapTable<Long> FUNNEL_STEP_TIMES_BY_DAY = new MapTable<>("funnel_step_times_by_day",
            List.of("funnel", "month"), List.of("day", "step", "bucket"), new NameDayStepKey(),
            new LongCodec("users"));

    /**
     * Trident key {@code [propertyValue, startDayStart, kind, bucket]} → row {@code ((property_value, month), day,
     * kind, bucket)}: the sessions that started that UTC day ({@code sessions}, bucket 0), their summed length in
     * milliseconds ({@code total_ms}) and events ({@code total_events}), and how many fell in each length bucket
     * ({@code length_s}, bucket = its lower bound in seconds) and events bucket ({@code events}, its lower bound).
     */
    public static final MapTable<Long> SESSIONS_BY_DAY = new MapTable<>("sessions_by_day",
            List.of("property_value", "month"), List.of("day", "kind", "bucket"), new NameDayKindPeriodKey(),
            new LongCodec("amount"));

    /** Every map table the topology aggregates into. */
    public static List<MapTable<Long>> countTables() {
        return List.of(EVENT_COUNTS_BY_MINUTE, EVENT_COUNTS_BY_HOUR, EVENT_COUNTS_BY_DAY, PROPERTY_COUNTS_BY_HOUR,
                PROPERTY_COUNTS_BY_DAY, UNIQUE_USERS_BY_DAY, REJECTED_COUNTS_BY_HOUR, SEGMENT_SIZES_BY_DAY,
                FUNNEL_STEPS_BY_DAY, FUNNEL_STEP_MS_BY_DAY, FUNNEL_STEP_TIMES_BY_DAY, RETENTION_BY_DAY, SESSIONS_BY_DAY);
    }

    private TallyTables() {
    }

    /** The partition a time bucket belongs to, as the partition key column's value. */
    enum Parent {
        /** The bucket's hour, as a timestamp. */
        HOUR {
            Object of(Instant bucket) {
                return bucket.truncatedTo(ChronoUnit.HOURS);
            }
        },
        /** The bucket's UTC day, as a date. */
        DAY {
            Object of(Instant bucket) {
                return LocalDate.ofInstant(bucket, ZoneOffset.UTC);
            }
        },
        /** The bucket's UTC month, as text {@code yyyy-MM}. */
        MONTH {
            Object of(Instant bucket) {
                LocalDate day = LocalDate.ofInstant(bucket, ZoneOffset.UTC);
                return String.format("%04d-%02d", day.getYear(), day.getMonthValue());
            }
        };

        abstract Object of(Instant bucket);

        /** The bucket itself as its clustering value: a date for days, a timestamp otherwise. */
        Object bucketColumn(Instant bucket) {
            return this == MONTH ? LocalDate.ofInstant(bucket, ZoneOffset.UTC) : bucket;
        }
    }

    /** {@code [name, bucketStart]} → {@code [name, parent, bucket]}. */
    static final class NameBucketKey implements KeyMapper {
        private static final long serialVersionUID = 1L;
        private final Parent parent;

        NameBucketKey(Parent parent) {
            this.parent = parent;
        }

        @Override
        public List<Object> toColumns(List<Object> tridentKey) {
            Instant bucket = Instant.ofEpochMilli(((Number) tridentKey.get(1)).longValue());
            return List.of(tridentKey.get(0), parent.of(bucket), parent.bucketColumn(bucket));
        }
    }

    /** {@code [event, property, value, bucketStart]} → {@code [event, property, parent, bucket, value]}. */
    static final class PropertyBucketKey implements KeyMapper {
        private static final long serialVersionUID = 1L;
        private final Parent parent;

        PropertyBucketKey(Parent parent) {
            this.parent = parent;
        }

        @Override
        public List<Object> toColumns(List<Object> tridentKey) {
            Instant bucket = Instant.ofEpochMilli(((Number) tridentKey.get(3)).longValue());
            return List.of(tridentKey.get(0), tridentKey.get(1), parent.of(bucket), parent.bucketColumn(bucket),
                    tridentKey.get(2));
        }
    }

    /**
     * {@code [name, dayStart, step]} → {@code [name, month, day, step]}; a bucket after the step (or any further int
     * column) follows it.
     */
    static final class NameDayStepKey implements KeyMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public List<Object> toColumns(List<Object> tridentKey) {
            Instant day = Instant.ofEpochMilli(((Number) tridentKey.get(1)).longValue());
            List<Object> columns = new ArrayList<>(tridentKey.size() + 1);
            columns.addAll(List.of(tridentKey.get(0), Parent.MONTH.of(day), Parent.MONTH.bucketColumn(day)));
            for (Object intColumn : tridentKey.subList(2, tridentKey.size())) {
                columns.add(((Number) intColumn).intValue());
            }
            return columns;
        }
    }

    /** {@code [name, dayStart, kind, period]} → {@code [name, month, day, kind, period]}. */
    static final class NameDayKindPeriodKey implements KeyMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public List<Object> toColumns(List<Object> tridentKey) {
            Instant day = Instant.ofEpochMilli(((Number) tridentKey.get(1)).longValue());
            return List.of(tridentKey.get(0), Parent.MONTH.of(day), Parent.MONTH.bucketColumn(day), tridentKey.get(2),
                    ((Number) tridentKey.get(3)).intValue());
        }
    }

    /** {@code [segment, user]} → {@code [segment, bucket, user]}. */
    static final class SegmentUserKey implements KeyMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public List<Object> toColumns(List<Object> tridentKey) {
            String user = (String) tridentKey.get(1);
            return List.of(tridentKey.get(0), segmentBucket(user), user);
        }
    }
}
