package io.tally.topology.keyed;

import io.tally.bolts.event.Event;
import io.tally.bolts.journey.CompiledFunnels;
import io.tally.bolts.journey.CompiledRetention;
import io.tally.bolts.journey.CompiledSessions;
import io.tally.bolts.journey.FunnelDefinition;
import io.tally.bolts.journey.RetentionDefinition;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.bolts.segment.CompiledSegment;
import io.tally.bolts.segment.CompiledSegments;
import io.tally.bolts.segment.SegmentDefinition;
import io.tally.state.cassandra.RowRoute;
import io.tally.state.keyed.FirstSeenState;
import io.tally.state.keyed.KeyRoute;
import io.tally.state.keyed.KeyRouting;
import io.tally.state.schema.TallyTables;
import io.tally.state.journey.FunnelProgress;
import io.tally.state.journey.JourneyState;
import io.tally.state.segment.SegmentProgress;
import io.tally.topology.aggregate.NameAndBucket;
import io.tally.topology.aggregate.PropertyBuckets;
import io.tally.topology.aggregate.UtcBucket;
import io.tally.topology.journey.FunnelAdvance;
import io.tally.topology.journey.JourneyAdvance;
import io.tally.topology.journey.RetentionAdvance;
import io.tally.topology.journey.SessionAdvance;
import io.tally.topology.segment.SegmentAdvance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/**
 * The per-user stage: everything Tally derives from a counted event, in one pass over the batch's events of one
 * partition of users. It counts each event into the minute, hour and day tables and the breakdowns; finds the users
 * first seen on a day (per event and over all events) in its {@link FirstSeenState}; advances each matching
 * (segment, user)'s progress with one {@code multiUpdate}, and each matching (funnel or retention definition, user)'s
 * and each user's sessions with another (see {@link FunnelProgress}); and emits, per batch, what changed:
 * {@link #OUTPUT_FIELDS}, either a count table's key with the batch's change to it ({@code member} null), or a
 * segment member's row ({@code member}: segment, user, events, last activity, qualified day).
 *
 * <p>Everything it emits derives from the states' values before the batch and the batch itself, so a replayed batch
 * emits the same: the downstream count states are opaque and the member rows idempotent upserts.
 *
 * <p>Input: {@link RouteEvents#OUTPUT_FIELDS}, routed by user.
 */
public final class PerUserPass extends BaseStateUpdater<UserPassState> {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("table", "key", "delta", "member");
    /** The fields of {@code member}, in order. */
    public static final Fields MEMBER_FIELDS =
            new Fields("segment", "user_key", "events", "last_activity", "qualified_day");

    private final boolean counts;
    private final List<String> breakdowns;
    private final List<SegmentDefinition> segmentDefinitions;
    private final int keepDays;
    private final KeyRouting routing;
    private final List<FunnelDefinition> funnelDefinitions;
    private final List<RetentionDefinition> retentionDefinitions;
    private final long horizonMillis;
    private final SessionDefinition sessionDefinition;
    private transient CompiledSessions sessions;
    private transient CompiledSegments segments;
    private transient List<CompiledFunnels.Funnel> funnels;
    private transient List<CompiledRetention> retention;

    /**
     * @param counts whether to count (a segments-only topology does not)
     * @param breakdowns the allowlisted properties counted per value
     * @param keepDays how many days of per-day counts a non-member keeps beyond a rule's window
     * @param horizonMillis how much older than a user's newest event an event may still arrive (funnels keep what
     *     that can change)
     * @param sessions the sessions section, null when sessions are not kept
     */
    public PerUserPass(boolean counts, List<String> breakdowns, List<SegmentDefinition> segments, int keepDays,
            KeyRouting routing, List<FunnelDefinition> funnels, List<RetentionDefinition> retention,
            long horizonMillis, SessionDefinition sessions) {
        this.sessionDefinition = sessions;
        this.funnelDefinitions = List.copyOf(funnels);
        this.retentionDefinitions = List.copyOf(retention);
        this.horizonMillis = horizonMillis;
        this.routing = routing;
        this.counts = counts;
        this.breakdowns = List.copyOf(breakdowns);
        this.segmentDefinitions = List.copyOf(segments);
        this.keepDays = keepDays;
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        segments = CompiledSegments.compile(segmentDefinitions);
        funnels = CompiledFunnels.compile(funnelDefinitions).funnels();
        retention = CompiledRetention.compile(retentionDefinitions);
        sessions = sessionDefinition == null ? null : CompiledSessions.compile(sessionDefinition);
    }

    @Override
    public void updateState(UserPassState state, List<TridentTuple> tuples, TridentCollector collector) {
        state.attempt(tuples.get(0).getInteger(1));
        CountDeltas deltas = new CountDeltas();
        Map<List<Object>, SegmentAdvance> advances = new LinkedHashMap<>();
        Map<List<Object>, JourneyAdvance<?>> journeys = new LinkedHashMap<>();
        for (TridentTuple tuple : tuples) {
            EventRun run = (EventRun) tuple.getValue(2);
            for (int i = 0; i < run.size(); i++) {
                Event event = run.event(i);
                if (counts) {
                    count(event, deltas, state.userDays());
                }
                if (!segmentDefinitions.isEmpty()) {
                    for (CompiledSegment segment : segments.matching(event)) {
                        advances.computeIfAbsent(List.of(segment.name(), event.userKey()),
                                key -> new SegmentAdvance(segment, keepDays)).add(event.timestampMillis());
                    }
                }
                for (CompiledFunnels.Funnel funnel : funnels) {
                    int steps = funnel.stepMask(event);
                    if (steps != 0) {
                        journeys.computeIfAbsent(List.of(funnel.name(), event.userKey()),
                                key -> new FunnelAdvance(funnel, horizonMillis)).add(event.timestampMillis(), steps);
                    }
                }
                for (CompiledRetention definition : retention) {
                    int kind = definition.kind(event);
                    if (kind != 0) {
                        journeys.computeIfAbsent(List.of(definition.name(), event.userKey()),
                                key -> new RetentionAdvance(definition, horizonMillis)).add(event.timestampMillis(), kind);
                    }
                }
                if (sessions != null) {
                    String value = sessions.value(event);
                    journeys.computeIfAbsent(List.of(SessionAdvance.stateName(value), event.userKey()),
                            key -> new SessionAdvance(sessions, value, horizonMillis)).add(event.timestampMillis(), 1);
                }
            }
        }
        if (counts) {
            deltas.rollUpToAllEvents(TallyTables.EVENT_COUNTS_BY_MINUTE);
            deltas.rollUpToAllEvents(TallyTables.EVENT_COUNTS_BY_HOUR);
            deltas.rollUpToAllEvents(TallyTables.EVENT_COUNTS_BY_DAY);
        }
        if (!advances.isEmpty()) {
            advanceSegments(state.segmentProgress(), advances, deltas, collector);
        }
        if (!journeys.isEmpty()) {
            advanceJourneys(state.userJourneys(), journeys, deltas);
        }
        deltas.emit(collector);
    }

    private void count(Event event, CountDeltas deltas, FirstSeenState userDays) {
        String name = event.countName();
        long time = event.timestampMillis();
        long hour = UtcBucket.HOUR.start(time);
        long dayIndex = UtcBucket.DAY.index(time);
        long day = UtcBucket.DAY.startOfIndex(dayIndex);
        deltas.add(TallyTables.EVENT_COUNTS_BY_MINUTE, new NameAndBucket(name, UtcBucket.MINUTE.start(time)), 1);
        deltas.add(TallyTables.EVENT_COUNTS_BY_HOUR, new NameAndBucket(name, hour), 1);
        deltas.add(TallyTables.EVENT_COUNTS_BY_DAY, new NameAndBucket(name, day), 1);
        if (!breakdowns.isEmpty()) {
            for (String property : breakdowns) {
                String value = PropertyBuckets.scalarText(event.properties().get(property));
                if (value != null) {
                    deltas.add(TallyTables.PROPERTY_COUNTS_BY_HOUR, List.of(name, property, value, hour), 1);
                    deltas.add(TallyTables.PROPERTY_COUNTS_BY_DAY, List.of(name, property, value, day), 1);
                }
            }
        }
        String user = event.userKey();
        int route = routing.route(user);
        if (userDays.firstSeen(userDayKey(dayIndex, name, user), route)) {
            deltas.add(TallyTables.UNIQUE_USERS_BY_DAY, new NameAndBucket(name, day), 1);
        }
        if (userDays.firstSeen(userDayKey(dayIndex, TallyTables.ALL_EVENTS, user), route)) {
            deltas.add(TallyTables.UNIQUE_USERS_BY_DAY, new NameAndBucket(TallyTables.ALL_EVENTS, day), 1);
        }
    }

    /** {@code epochDay:length(event):event user}: unambiguous whatever characters the event and user hold. */
    static String userDayKey(long epochDay, String event, String user) {
        return epochDay + ":" + event.length() + ":" + event + user;
    }

    /** The user of a {@link #userDayKey}. */
    static String userOfDayKey(String key) {
        int lengthStart = key.indexOf(':') + 1;
        int eventStart = key.indexOf(':', lengthStart) + 1;
        return key.substring(eventStart + Integer.parseInt(key, lengthStart, eventStart - 1, 10));
    }

    /** Routes a (user, event, day) key by its user, as the topology sends a user's events. */
    public record UserDayRoute(KeyRouting routing) implements KeyRoute {
        @Override
        public int of(String key) {
            return routing.route(userOfDayKey(key));
        }
    }

    /** Routes a {@code segment_progress} row by its user, as the topology sends a user's events. */
    public record SegmentProgressRoute(KeyRouting routing) implements RowRoute {
        private static final int USER_COLUMN = TallyTables.SEGMENT_PROGRESS.keyColumns().indexOf("user_id");

        @Override
        public int of(List<Object> rowKey) {
            return routing.route((String) rowKey.get(USER_COLUMN));
        }
    }

    /**
     * Applies the batch's matching events to each (funnel or retention definition, user)'s state, in one
     * {@code multiUpdate}, and adds what that changed in the tables.
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // MapState.multiUpdate takes raw ValueUpdaters
    private static void advanceJourneys(org.apache.storm.trident.state.map.MapState<JourneyState> state,
            Map<List<Object>, JourneyAdvance<?>> advances, CountDeltas deltas) {
        List<JourneyAdvance<?>> updaters = new ArrayList<>(advances.values());
        state.multiUpdate(new ArrayList<>(advances.keySet()), (List<ValueUpdater>) (List) updaters);
        updaters.forEach(advance -> advance.emitChange(deltas::add));
    }

    /**
     * Applies the batch's matching events to each (segment, user)'s progress, emits each member's row, and changes the
     * daily entries: +1 on the day a new member entered; when a late event moved a member's entry earlier, −1 on the
     * old day and +1 on the new one.
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // MapState.multiUpdate takes raw ValueUpdaters
    private static void advanceSegments(org.apache.storm.trident.state.map.MapState<SegmentProgress> progress,
            Map<List<Object>, SegmentAdvance> advances, CountDeltas deltas, TridentCollector collector) {
        List<List<Object>> keys = new ArrayList<>(advances.keySet());
        List<SegmentAdvance> updaters = new ArrayList<>(advances.values());
        List<SegmentProgress> after = progress.multiUpdate(keys, (List<ValueUpdater>) (List) updaters);
        for (int i = 0; i < keys.size(); i++) {
            SegmentProgress now = after.get(i);
            if (!now.qualified()) {
                continue;
            }
            String segment = (String) keys.get(i).get(0);
            String user = (String) keys.get(i).get(1);
            collector.emit(new Values(null, null, 0L, List.of(segment, user, now.events(), now.lastActivityMillis(),
                    now.qualifiedDay())));
            SegmentProgress before = updaters.get(i).before();
            Long enteredBefore = before == null ? null : before.qualifiedDay();
            if (!Objects.equals(now.qualifiedDay(), enteredBefore)) {
                if (enteredBefore != null) {
                    deltas.add(TallyTables.SEGMENT_SIZES_BY_DAY,
                            new NameAndBucket(segment, UtcBucket.DAY.startOfIndex(enteredBefore)), -1);
                }
                deltas.add(TallyTables.SEGMENT_SIZES_BY_DAY,
                        new NameAndBucket(segment, UtcBucket.DAY.startOfIndex(now.qualifiedDay())), 1);
            }
        }
    }
}
