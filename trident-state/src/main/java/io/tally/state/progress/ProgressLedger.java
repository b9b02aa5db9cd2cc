package io.tally.state.progress;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code topology_progress} table: for each topology writing into the keyspace, the Trident streams it reads and,
 * per state, the last batch that state committed. A state's rows hold at most one txid more than recorded here (a
 * batch whose commit wrote its rows and stopped before its record).
 */
public final class ProgressLedger {
    /** The table's name, as {@code deploy/schema.cql} creates it. */
    public static final String TABLE = "topology_progress";

    /** The highest batch recorded for a topology, and which state recorded it when. */
    public record Recorded(String state, long txid, Instant at) {
    }

    private final CqlSession session;
    private final PreparedStatement write;
    private final DefaultConsistencyLevel readConsistency;
    private final DefaultConsistencyLevel writeConsistency;
    private final String keyspace;

    public ProgressLedger(CqlSession session, String keyspace, String readConsistency, String writeConsistency) {
        this.session = session;
        this.keyspace = keyspace;
        this.write = session.prepare("UPDATE " + keyspace + "." + TABLE
                + " SET txid = ?, committed_at = ?, scope = ?, streams = ? WHERE topology = ? AND state = ?");
        this.readConsistency = DefaultConsistencyLevel.valueOf(readConsistency);
        this.writeConsistency = DefaultConsistencyLevel.valueOf(writeConsistency);
    }

    /** Records that {@code state} of {@code topology} committed batch {@code txid}. */
    public void committed(String topology, String scope, Set<String> streams, String state, long txid) {
        session.execute(write.bind(txid, Instant.now(), scope, streams, topology, state)
                .setConsistencyLevel(writeConsistency));
    }

    /** The highest batch any state of {@code topology} recorded, if any did. */
    public Optional<Recorded> last(String topology) {
        Recorded last = null;
        for (Row row : session.execute(session.prepare("SELECT state, txid, committed_at FROM " + keyspace + "." + TABLE
                + " WHERE topology = ?").bind(topology).setConsistencyLevel(readConsistency))) {
            if (row.isNull("txid")) {
                continue;
            }
            if (last == null || row.getLong("txid") > last.txid()) {
                last = new Recorded(row.getString("state"), row.getLong("txid"), row.getInstant("committed_at"));
            }
        }
        return Optional.ofNullable(last);
    }

    /** Forgets every record of {@code topology} (a deliberate reset of its state). */
    public void forget(String topology) {
        session.execute(session.prepare("DELETE FROM " + keyspace + "." + TABLE + " WHERE topology = ?")
                .bind(topology).setConsistencyLevel(writeConsistency));
    }

    /**
     * Why a topology may not run when Trident's ZooKeeper state would start it at batch {@code nextTxid} while
     * Cassandra records that batch {@code recorded.txid()} was already begun; null when it may.
     */
    public static String lostProgress(String topology, String keyspace, String zookeeperRoot, long nextTxid,
            Recorded recorded) {
        if (recorded == null || recorded.txid() <= nextTxid) {
            return null;
        }
        return "Refusing to run topology '" + topology + "': keyspace '" + keyspace + "' records that its state '"
                + recorded.state() + "' committed batch (txid) " + recorded.txid() + " at " + recorded.at()
                + ", but Trident's state in ZooKeeper (root " + zookeeperRoot + ") would start at batch " + nextTxid
                + ". ZooKeeper has lost or rolled back this topology's progress (a new ZooKeeper, or the root"
                + " deleted or restored from an older copy); counting on would count again what those batches"
                + " counted, or stop on rows holding later batches. Nothing was written. To recover (see"
                + " deploy/OPERATIONS.md, 'Lost ZooKeeper state'): restore ZooKeeper's " + zookeeperRoot
                + " and submit again; or count into a new, empty keyspace; or submit with --resume-lost-progress,"
                + " which starts Trident's batches after " + recorded.txid() + " and reads every source again from"
                + " its first retained record, dropping what the de-duplication window still remembers.";
    }
}
