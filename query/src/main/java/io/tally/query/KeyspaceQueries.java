package io.tally.query;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;

/** What every reader of Tally's tables starts from: the session, and the keyspace quoted for its CQL. */
abstract class KeyspaceQueries {
    final CqlSession session;
    /** As CQL spells it, quoted where its case or characters need it, so it names the keyspace the schema made. */
    final String keyspace;

    KeyspaceQueries(CqlSession session, String keyspace) {
        this.session = session;
        this.keyspace = CqlIdentifier.fromInternal(keyspace).asCql(true);
    }
}
