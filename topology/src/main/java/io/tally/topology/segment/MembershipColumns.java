package io.tally.topology.segment;

import io.tally.state.cassandra.RowBinder;
import io.tally.state.schema.TallyTables;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * A member's row, from {@code (segment, user_key, events, last_activity, qualified_day)}: in
 * {@link TallyTables#SEGMENT_MEMBERS_COLUMNS} order for {@code segment_members}, or in
 * {@link TallyTables#USER_SEGMENTS_COLUMNS} order for the reverse lookup {@code user_segments}.
 */
public final class MembershipColumns implements RowBinder {
    private static final long serialVersionUID = 1L;

    private final boolean byUser;

    private MembershipColumns(boolean byUser) {
        this.byUser = byUser;
    }

    /** Rows of {@code segment_members}. */
    public static MembershipColumns bySegment() {
        return new MembershipColumns(false);
    }

    /** Rows of {@code user_segments}. */
    public static MembershipColumns byUser() {
        return new MembershipColumns(true);
    }

    @Override
    public List<Object> values(TridentTuple tuple) {
        String segment = tuple.getString(0);
        String user = tuple.getString(1);
        Long events = tuple.getLong(2);
        Instant lastActivity = Instant.ofEpochMilli(tuple.getLong(3));
        LocalDate qualifiedOn = LocalDate.ofEpochDay(tuple.getLong(4));
        return byUser
                ? List.of(user, segment, qualifiedOn, lastActivity, events)
                : List.of(segment, TallyTables.segmentBucket(user), user, qualifiedOn, lastActivity, events);
    }
}
