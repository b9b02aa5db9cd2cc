package io.tally.state.journey;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One user's open sessions (in one of their session streams, see {@code CompiledSessions}): the value of the
 * {@code user_journeys} map state beside funnels and retention, updated once per batch with the batch's event times.
 *
 * <h2>What is counted</h2>
 * A user's events, in time order, are in one session while each follows the one before by at most the gap; a longer
 * pause starts a new session. A session's length is its last event's time less its first's; its events are all of
 * them, also those at the same millisecond. This depends on the set of events only, not on the order they arrive in.
 *
 * <h2>Why a session is three numbers</h2>
 * An added event joins every session within the gap of it (before its first event, between its events, or after
 * its last), and may so join two sessions into one; it never splits one. So a session is fully described by its first
 * and last event times and its number of events: which event lies where inside it can never matter again.
 *
 * <h2>Bounded memory, exactly once</h2>
 * An event older than the user's newest event less the horizon cannot arrive any more (as for funnels, see
 * {@link FunnelProgress}), so a session whose last event is more than the gap before that can never grow again: it is
 * <em>closed</em>, counted for good and dropped from the state ({@link Advanced#closed()}). The per-user stage emits,
 * per batch, the rows of the closed and open sessions after the batch less the rows of the open sessions before it.
 * Summed over batches that is the rows of every closed session plus those of the sessions still open, whatever the
 * batches were; a replay starts from the same stored value and emits the same. Open sessions are separated by more
 * than the gap and end within horizon + gap of the newest event, so a user keeps at most (horizon + gap) / gap + 1 of
 * them, three numbers each, whatever the number of events: in practice one or two.
 */
public final class SessionProgress implements JourneyState {
    private final long newestMillis;
    private final long[] firsts;
    private final long[] lasts;
    private final long[] events;

    SessionProgress(long newestMillis, long[] firsts, long[] lasts, long[] events) {
        this.newestMillis = newestMillis;
        this.firsts = firsts;
        this.lasts = lasts;
        this.events = events;
    }

    /** One session: its first and last event times and how many events it holds. */
    public record Session(long firstMillis, long lastMillis, long events) {
        public long lengthMillis() {
            return lastMillis - firstMillis;
        }
    }

    /** The state after a batch, and the sessions the batch closed. */
    public record Advanced(SessionProgress progress, List<Session> closed) {
    }

    public long newestMillis() {
        return newestMillis;
    }

    /** The open sessions, in time order. */
    public List<Session> sessions() {
        List<Session> sessions = new ArrayList<>(firsts.length);
        for (int i = 0; i < firsts.length; i++) {
            sessions.add(new Session(firsts[i], lasts[i], events[i]));
        }
        return sessions;
    }

    int size() {
        return firsts.length;
    }

    long first(int i) {
        return firsts[i];
    }

    long last(int i) {
        return lasts[i];
    }

    long events(int i) {
        return events[i];
    }

    /**
     * Adds a batch's event times to {@code before} (null for a stream new to the user).
     *
     * @param gapMillis events at most this far apart are in one session
     * @param horizonMillis how much older than the newest event an event may still arrive
     */
    public static Advanced advance(SessionProgress before, long[] batchTimes, long gapMillis, long horizonMillis) {
        int stored = before == null ? 0 : before.firsts.length;
        int total = stored + batchTimes.length;
        long[][] runs = new long[total][];
        long newest = before == null ? Long.MIN_VALUE : before.newestMillis;
        for (int i = 0; i < stored; i++) {
            runs[i] = new long[] {before.firsts[i], before.lasts[i], before.events[i]};
        }
        for (int i = 0; i < batchTimes.length; i++) {
            runs[stored + i] = new long[] {batchTimes[i], batchTimes[i], 1};
            newest = Math.max(newest, batchTimes[i]);
        }
        Arrays.sort(runs, (a, b) -> Long.compare(a[0], b[0]));
        long[] firsts = new long[total];
        long[] lasts = new long[total];
        long[] events = new long[total];
        int open = 0;
        List<Session> closed = new ArrayList<>(0);
        // Far in the past when nothing was ever seen, without overflowing.
        long closedBefore = newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest - horizonMillis - gapMillis;
        int i = 0;
        while (i < total) {
            long first = runs[i][0];
            long last = runs[i][1];
            long count = runs[i][2];
            i++;
            while (i < total && runs[i][0] - last <= gapMillis) {
                last = Math.max(last, runs[i][1]);
                count += runs[i][2];
                i++;
            }
            if (last < closedBefore) {
                closed.add(new Session(first, last, count));
            } else {
                firsts[open] = first;
                lasts[open] = last;
                events[open] = count;
                open++;
            }
        }
        SessionProgress after = new SessionProgress(newest, Arrays.copyOf(firsts, open), Arrays.copyOf(lasts, open),
                Arrays.copyOf(events, open));
        return new Advanced(after, closed);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SessionProgress that && newestMillis == that.newestMillis
                && Arrays.equals(firsts, that.firsts) && Arrays.equals(lasts, that.lasts)
                && Arrays.equals(events, that.events);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(newestMillis) * 31 + Arrays.hashCode(firsts);
    }

    @Override
    public String toString() {
        return "SessionProgress[newest=" + newestMillis + ", sessions=" + sessions() + "]";
    }
}
