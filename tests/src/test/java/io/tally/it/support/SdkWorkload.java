package io.tally.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.MessageBuilder;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.TrackMessage;
import io.tally.testsupport.Eventually;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The calls a test asks Segment's SDK to make (track, page and identify, some from anonymous users, and, when asked,
 * some the topology must reject), and the truth Tally must store, computed here from those calls alone: hourly
 * counts, distinct users per event and UTC day (with {@code *}, all events), and rejections per reason.
 *
 * <p>Call {@code i} happens at {@code firstHour + 2 s × i}, by user {@code i % users}; every tenth user has only an
 * anonymousId. Its messageId is {@code m-<i>} (the rejected kind {@link Kind#LONG_ID} has a longer one).
 */
public final class SdkWorkload {
    /** What a call is, and for the rejected kinds the reason Tally stores. */
    public enum Kind {
        TRACK(null), PAGE(null), IDENTIFY(null),
        /** Ten days before its receipt: past the default lateness of 7 days. */
        TOO_LATE("too_late"),
        /** Three hours after its receipt: past the default tolerance of 1 hour. */
        TOO_FAR_IN_FUTURE("too_far_in_future"),
        /** A track call named {@code *}, the all-events name. */
        RESERVED_EVENT_NAME("reserved_event_name"),
        /** A messageId of 300 characters, over the default limit of 256. */
        MESSAGE_ID_TOO_LONG("message_id_too_long");

        private final String rejectReason;

        Kind(String rejectReason) {
            this.rejectReason = rejectReason;
        }

        /** The reason the topology stores for such a call, or null if it is counted. */
        public String rejectReason() {
            return rejectReason;
        }
    }

    /** One call: which, by whom, when, and what it is counted as. */
    public record Call(int index, Kind kind, String messageId, String user, boolean anonymous, long timeMillis) {
        public boolean counted() {
            return kind.rejectReason() == null;
        }

        /** The name Tally counts it under. */
        public String countName() {
            return switch (kind) {
                case PAGE -> "Page Viewed";
                case IDENTIFY -> "Identify";
                case RESERVED_EVENT_NAME -> "*";
                default -> EVENTS[index % EVENTS.length];
            };
        }
    }

    private static final String[] EVENTS = {"Song Played", "Order Completed", "Signed In"};
    private static final long SPACING_MILLIS = 2_000;

    private final List<Call> calls;

    private SdkWorkload(List<Call> calls) {
        this.calls = List.copyOf(calls);
    }

    /**
     * @param events calls to make
     * @param users distinct users they come from
     * @param rejectEvery every so many calls (from the 50th on) is one of the rejected kinds, in turn; 0 for none
     * @param now the time the test runs: the calls end an hour before it, the rejected kinds' times are relative to it
     */
    public static SdkWorkload of(int events, int users, int rejectEvery, Instant now) {
        Instant firstHour = now.truncatedTo(ChronoUnit.HOURS).minusMillis(events * SPACING_MILLIS)
                .truncatedTo(ChronoUnit.HOURS).minus(1, ChronoUnit.HOURS);
        Kind[] rejected = {Kind.TOO_LATE, Kind.TOO_FAR_IN_FUTURE, Kind.RESERVED_EVENT_NAME, Kind.MESSAGE_ID_TOO_LONG};
        List<Call> calls = new ArrayList<>(events);
        int rejects = 0;
        for (int i = 0; i < events; i++) {
            int userNumber = i % users;
            boolean anonymous = userNumber % 10 == 9;
            String user = (anonymous ? "anon-" : "user-") + userNumber;
            Kind kind;
            long time = firstHour.toEpochMilli() + i * SPACING_MILLIS;
            if (rejectEvery > 0 && i % rejectEvery == 50 % rejectEvery) {
                kind = rejected[rejects++ % rejected.length];
                if (kind == Kind.TOO_LATE) {
                    time = now.minus(10, ChronoUnit.DAYS).toEpochMilli();
                } else if (kind == Kind.TOO_FAR_IN_FUTURE) {
                    time = now.plus(3, ChronoUnit.HOURS).toEpochMilli();
                }
            } else {
                kind = switch (i % 5) {
                    case 0, 1, 2 -> Kind.TRACK;
                    case 3 -> Kind.PAGE;
                    default -> Kind.IDENTIFY;
                };
            }
            String messageId = kind == Kind.MESSAGE_ID_TOO_LONG ? "m-" + i + "-" + "x".repeat(300) : "m-" + i;
            calls.add(new Call(i, kind, messageId, user, anonymous, time));
        }
        return new SdkWorkload(calls);
    }

    public List<Call> calls() {
        return calls;
    }

    /** This workload and {@code more} calls, made some other way (the truth is of all of them). */
    public SdkWorkload plus(List<Call> more) {
        List<Call> all = new ArrayList<>(calls);
        all.addAll(more);
        return new SdkWorkload(all);
    }

    /** The SDK's builder for a call; a new one each time, so a call can be enqueued again (the app's own retry). */
    public static MessageBuilder<?, ?> builder(Call call) {
        MessageBuilder<?, ?> message = switch (call.kind()) {
            case PAGE -> PageMessage.builder("Home").properties(Map.of("path", "/home/" + (call.index() % 7)));
            case IDENTIFY -> IdentifyMessage.builder().traits(Map.of("email", call.user() + "@example.com"));
            default -> TrackMessage.builder(call.countName())
                    .properties(Map.of("n", call.index(), "plan", call.index() % 2 == 0 ? "free" : "pro"));
        };
        if (call.anonymous()) {
            message.anonymousId(call.user());
        } else {
            message.userId(call.user());
        }
        return message.messageId(call.messageId()).timestamp(new Date(call.timeMillis()));
    }

    /** The calls by messageId. */
    public Map<String, Call> byMessageId() {
        Map<String, Call> byId = new HashMap<>();
        calls.forEach(call -> byId.put(call.messageId(), call));
        return byId;
    }

    /** Each counted call once, by event name and UTC hour of its time. */
    public Map<HourKey, Long> hourly() {
        Map<HourKey, Long> hourly = new HashMap<>();
        calls.stream().filter(Call::counted)
                .forEach(call -> hourly.merge(HourKey.of(call.countName(), call.timeMillis()), 1L, Long::sum));
        return hourly;
    }

    /** {@code [event, day]} → distinct users of the counted calls; event {@code *} is all of them. */
    public Map<List<String>, Long> dailyUniques() {
        Map<List<String>, Set<String>> users = new HashMap<>();
        for (Call call : calls) {
            if (call.counted()) {
                String day = LocalDate.ofInstant(Instant.ofEpochMilli(call.timeMillis()), ZoneOffset.UTC).toString();
                users.computeIfAbsent(List.of(call.countName(), day), k -> new HashSet<>()).add(call.user());
                users.computeIfAbsent(List.of("*", day), k -> new HashSet<>()).add(call.user());
            }
        }
        Map<List<String>, Long> counts = new HashMap<>();
        users.forEach((key, set) -> counts.put(key, (long) set.size()));
        return counts;
    }

    /** Reason → calls rejected for it: each is a record of its own, so a call sent twice is rejected twice. */
    public Map<String, Long> rejects(Map<String, Integer> copiesSent) {
        Map<String, Long> rejects = new LinkedHashMap<>();
        for (Call call : calls) {
            if (!call.counted()) {
                rejects.merge(call.kind().rejectReason(), (long) copiesSent.getOrDefault(call.messageId(), 1),
                        Long::sum);
            }
        }
        return rejects;
    }

    /**
     * Waits for the topology to have counted everything, then checks every table against this truth: hourly
     * counts, distinct users per event and day, and rejections per reason (each in an hour of receipt between
     * {@code started} and {@code finished}).
     *
     * @param copiesSent how many times each messageId reached Kafka (a rejected call is rejected each time)
     */
    public void assertCountedExactly(CqlSession session, String keyspace, Map<String, Integer> copiesSent,
            Instant started, Instant finished) {
        Map<HourKey, Long> truth = hourly();
        Map<List<String>, Long> uniques = dailyUniques();
        Map<String, Long> rejects = rejects(copiesSent);
        Map<HourKey, Long> counted = Eventually.poll(() -> CountTables.hourly(session, keyspace), truth::equals,
                Duration.ofMinutes(3));
        Eventually.poll(() -> AggregateTables.read(session, keyspace, "unique_users_by_day", List.of("event", "day"),
                "users"), uniques::equals, Duration.ofMinutes(1));
        Eventually.poll(() -> rejectsByReason(session, keyspace), rejects::equals, Duration.ofMinutes(1));
        Eventually.sleep(Duration.ofSeconds(2)); // nothing counted twice by a late replay

        assertThat(counted).isEqualTo(truth);
        assertThat(CountTables.hourly(session, keyspace)).isEqualTo(truth);
        assertThat(CountTables.total(counted)).isEqualTo(counted());
        assertThat(AggregateTables.read(session, keyspace, "unique_users_by_day", List.of("event", "day"), "users"))
                .isEqualTo(uniques);
        assertThat(rejectsByReason(session, keyspace)).isEqualTo(rejects);
        Instant firstHour = started.truncatedTo(ChronoUnit.HOURS);
        for (Row row : session.execute("SELECT hour FROM " + keyspace + ".rejected_counts_by_hour")) {
            assertThat(row.getInstant("hour")).as("hour of receipt").isBetween(firstHour, finished);
        }
    }

    private static Map<String, Long> rejectsByReason(CqlSession session, String keyspace) {
        Map<String, Long> byReason = new HashMap<>();
        for (Row row : session.execute("SELECT reason, count FROM " + keyspace + ".rejected_counts_by_hour")) {
            byReason.merge(row.getString("reason"), row.getLong("count"), Long::sum);
        }
        return byReason;
    }

    /** How many calls are counted, each once. */
    public long counted() {
        return calls.stream().filter(Call::counted).count();
    }
}
