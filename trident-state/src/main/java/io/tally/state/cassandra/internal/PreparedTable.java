package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;

/** A state's session and prepared statements, made once per state partition on its first batch. */
record PreparedTable(CqlSession session, PreparedStatement selectIn, PreparedStatement insert,
        ConsistencyLevel read, ConsistencyLevel write) {

    /**
     * Connects (sharing the worker's session) and prepares; an unreachable Cassandra fails the batch, which Trident
     * replays later.
     *
     * @param selectIn the multi-key read, or null for a write-only state
     */
    static PreparedTable connect(CassandraSettings settings, String selectIn, String insert, BoundedRequests requests) {
        try {
            CqlSession session = SessionRegistry.connected(settings);
            return new PreparedTable(session,
                    selectIn == null ? null : session.prepare(selectIn),
                    session.prepare(insert),
                    DefaultConsistencyLevel.valueOf(settings.readConsistency()),
                    DefaultConsistencyLevel.valueOf(settings.writeConsistency()));
        } catch (Exception e) {
            throw requests.failure("connection", e);
        }
    }
}
