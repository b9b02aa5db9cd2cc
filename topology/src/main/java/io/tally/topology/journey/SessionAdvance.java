package io.tally.topology.journey;

import io.tally.bolts.journey.CompiledSessions;
import io.tally.state.journey.SessionProgress;
import io.tally.state.journey.SessionProgress.Session;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.UtcBucket;
import java.util.List;

/** A (session stream, user)'s events of a batch; each event's mark is 1 (sessions need only its time). */
public final class SessionAdvance extends JourneyAdvance<SessionProgress> {
    /** The kinds of {@code sessions_by_day}. */
    public static final String SESSIONS = "sessions";
    public static final String TOTAL_MS = "total_ms";
    public static final String TOTAL_EVENTS = "total_events";
    public static final String LENGTH_S = "length_s";
    public static final String EVENTS = "events";
    /** The lower bounds of the length buckets, in seconds: 0s, 10s, 30s, 1m, 3m, 10m, 30m, 1h, 2h, 4h and longer. */
    public static final List<Integer> LENGTH_BOUNDS_S = List.of(0, 10, 30, 60, 180, 600, 1800, 3600, 7200, 14400);
    /** The lower bounds of the events-per-session buckets. */
    public static final List<Integer> EVENT_BOUNDS = List.of(1, 2, 3, 5, 10, 20, 50, 100, 200, 500);
    /** The {@code user_journeys} definition of a stream: no funnel or retention name can start with '~'. */
    static final String STATE_PREFIX = "~sessions:";

    private final CompiledSessions sessions;
    private final String value;
    private List<Session> closed = List.of();

    public SessionAdvance(CompiledSessions sessions, String value, long horizonMillis) {
        super(horizonMillis);
        this.sessions = sessions;
        this.value = value;
    }

    /** The {@code user_journeys} definition that holds the users' sessions of {@code value}. */
    public static String stateName(String value) {
        return STATE_PREFIX + value;
    }

    @Override
    SessionProgress advance(SessionProgress stored, long[] eventTimes, int[] eventMarks) {
        SessionProgress.Advanced advanced = SessionProgress.advance(stored, eventTimes, sessions.gapMillis(),
                horizonMillis);
        closed = advanced.closed();
        return advanced.progress();
    }

    @Override
    void rows(SessionProgress progress, TableDeltas rows) {
        if (progress != null) {
            progress.sessions().forEach(session -> rows(session, rows));
        }
    }

    @Override
    void finished(TableDeltas rows) {
        closed.forEach(session -> rows(session, rows));
    }

    private void rows(Session session, TableDeltas rows) {
        long day = UtcBucket.DAY.start(session.firstMillis());
        rows.add(TallyTables.SESSIONS_BY_DAY, List.of(value, day, SESSIONS, 0), 1);
        rows.add(TallyTables.SESSIONS_BY_DAY, List.of(value, day, TOTAL_MS, 0), session.lengthMillis());
        rows.add(TallyTables.SESSIONS_BY_DAY, List.of(value, day, TOTAL_EVENTS, 0), session.events());
        rows.add(TallyTables.SESSIONS_BY_DAY, List.of(value, day, LENGTH_S, lowerBound(LENGTH_BOUNDS_S,
                session.lengthMillis() / 1000)), 1);
        rows.add(TallyTables.SESSIONS_BY_DAY, List.of(value, day, EVENTS, lowerBound(EVENT_BOUNDS, session.events())),
                1);
    }

    /** The largest bound not above {@code amount} (the first bound for anything below it). */
    public static int lowerBound(List<Integer> bounds, long amount) {
        int bound = bounds.get(0);
        for (int candidate : bounds) {
            if (candidate <= amount) {
                bound = candidate;
            }
        }
        return bound;
    }
}
