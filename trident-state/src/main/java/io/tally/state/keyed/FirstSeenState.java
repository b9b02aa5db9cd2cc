package io.tally.state.keyed;

import org.apache.storm.trident.state.State;

/**
 * The keys one partition of a keyed stage has seen, each remembered for a retention period of Tally's own clock:
 * held in the worker's memory, and made durable by a changelog in Cassandra that the partition appends to once per
 * batch. It answers one question per key, {@link #firstSeen}: is this the first time within the retention? That is
 * all that de-duplication ({@code messageId}s) and distinct users ({@code (user, event, day)}) need, and it needs no
 * read of Cassandra per key.
 *
 * <h2>Why it is exactly once</h2>
 * The state is a set whose only changes are additions (and expiry, which never happens within a key's retention).
 * Let {@code S(T)} be the set after batch {@code T} committed. Trident updates a state with batch {@code T} only after
 * every batch before it has committed, and replays {@code T}, with the same records, until it commits. So:
 * <ul>
 *   <li><b>A replay in the same worker</b> ({@code beginCommit(T)} twice): the first attempt's additions are undone
 *       before the replay runs, so the replay decides from {@code S(T-1)}, as the first attempt did. Downstream opaque
 *       states recompute the batch's counts from their values before {@code T}: counted once.</li>
 *   <li><b>A new worker</b> (a crash, a kill -9, a redeploy, another parallelism) learns {@code T}, the first batch it
 *       is given, and restores {@code S(T-1)} from the changelog before deciding anything: the additions of every
 *       batch before {@code T}, each batch's from its <em>last attempt</em> only. Trident numbers the attempts of a
 *       batch and keeps the numbers in ZooKeeper across restarts, and the last attempt of a committed batch is the
 *       one that committed; rows of earlier attempts, and of {@code T} and later (not committed), are ignored. A
 *       restore only reads, so a worker killed while restoring restores again from the same rows.</li>
 *   <li><b>A changed parallelism</b> (or routing key): a restoring partition recomputes each logged key's
 *       {@linkplain KeyRoute route} and keeps the keys that route to it under the new parallelism, from the rows of
 *       every old partition, which is where the topology now sends their events.</li>
 * </ul>
 * Every partition is given a tuple in every batch (the topology routes an empty run where it has no events), so every
 * partition logs every batch it has seen, and a row of an attempt is written whole before the batch can commit.
 *
 * <h2>Retention and memory</h2>
 * A key counts as seen for {@code retention} after the batch that added it, by the clock of the worker that ran it;
 * then it may be added again (a {@code messageId} seen again after the de-duplication window counts again). Log rows
 * expire in Cassandra shortly after their keys, and the memory holds the keys of one retention period, up to a
 * budget past which the oldest move to Cassandra (see {@code ChangelogFirstSeenState}). A key's retention cannot change once it is logged: a changed retention
 * applies to the keys added after the change.
 */
public interface FirstSeenState extends State {

    /** Trident's attempt number of the batch being applied, which {@link #commit} logs with the batch's additions. */
    void attempt(int attemptId);

    /**
     * Whether {@code key} is seen here for the first time within its retention; if so it is added, as of this batch.
     *
     * @param route the key's route ({@link KeyRoute}): the partition it routes to must be this one
     */
    boolean firstSeen(String key, int route);

    /** How many keys are held in memory. */
    int size();

    /** What the keys held in memory weigh, as a memory budget counts them. */
    long heldBytes();
}
