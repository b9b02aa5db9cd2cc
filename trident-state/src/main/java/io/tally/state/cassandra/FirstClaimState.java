package io.tally.state.cassandra;

import java.util.List;
import org.apache.storm.trident.state.State;

/**
 * Decides, for each key, which single input record counts for it — exactly once, across duplicates, replays and
 * recomposed batches.
 *
 * <h2>The rule</h2>
 * A key (say a {@code messageId}) is <em>claimed</em> by the source coordinates ({@code source}, {@code position})
 * of the first record that brings it; the claim is stored in a {@link ClaimTable}. A record passes if and only if
 * the stored claim for its key names the record itself. When a batch brings a key with no stored claim, its first
 * record with that key claims it.
 *
 * <h2>Why that is exactly once</h2>
 * The decision depends only on the record and the stored claim, never on the batch, its transaction id or the
 * attempt. So:
 * <ul>
 *   <li>A replayed batch reaches the same decision for every record it holds again: the claimer passes again,
 *       the others are dropped again. Downstream opaque counts recompute the batch from their previous values, so
 *       the claimer is counted once.</li>
 *   <li>A replay may even hold <em>different</em> records than the first attempt (an opaque spout's, when a
 *       partition was unavailable or more data was read; Tally's spouts replay exactly, but the claims do not rely
 *       on it). A claim written by the failed attempt for a record the replay no longer
 *       holds stays, and nothing was counted for it (the attempt failed). The spout delivers every record
 *       successfully in exactly one later batch, and there the claimer finds its own claim and passes: counted
 *       once. Any other record with that key, earlier or later, finds a claim that is not its own and is dropped:
 *       never counted. A claim stored with a transaction id instead would drop the claimer in that later batch,
 *       and the event would be lost.</li>
 *   <li>Two records with the same key in one batch: only the first claims; the second is dropped in this and
 *       every later attempt.</li>
 * </ul>
 * This needs every record of a key to reach the same state partition ({@code partitionBy} the key), so that no
 * two partitions claim one key at once, and batches to update state in order, which Trident guarantees.
 *
 * <h2>Cost</h2>
 * Per batch and partition: one read per distinct key not in the cache, grouped into one {@code IN} query per
 * partition of the table; one write per newly claimed key, grouped into unlogged single-partition batches; no
 * write for a key that was already claimed. Claims are immutable, so a bounded cache of known claims saves reads
 * of keys that recur (active users) without any risk of staleness. Each cached claim leaves the cache when its row in
 * Cassandra may have expired (its TTL is read back with it), so a key is claimed anew exactly when the table would
 * say it is unclaimed, whether the cache or Cassandra answers.
 */
public interface FirstClaimState extends State {

    /** One record's claim on one key. */
    record Claim(List<Object> key, String source, long position) {
    }

    /** Whether each record is the one that counts for its key (in order), claiming unclaimed keys. */
    List<Boolean> claim(List<Claim> claims);
}
