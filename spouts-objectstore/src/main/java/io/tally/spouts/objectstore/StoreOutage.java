package io.tally.spouts.objectstore;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log when the object store fails the spout's requests, and when it answers again; without it a store
 * that is down would only show as counts that stop moving. One WARN at the first failure, then one every
 * {@link #REPEAT_MILLIS} while the failures go on, and one INFO when a batch is read without one.
 */
final class StoreOutage {
    private static final Logger LOG = LoggerFactory.getLogger(StoreOutage.class);
    static final long REPEAT_MILLIS = 30_000;
    /** How long after a failure batches leave the store alone (a refused connection fails in milliseconds). */
    static final long PAUSE_MILLIS = 1_000;

    private final String store;
    private final LongSupplier clock;
    private long since = -1;
    private long reportedAt;
    private long failedAt;
    private int failures;

    StoreOutage(ObjectStoreSettings settings, LongSupplier clock) {
        this.store = "bucket '" + settings.bucket() + "' at "
                + (settings.endpoint() == null ? "Amazon S3" : settings.endpoint());
        this.clock = clock;
    }

    /** A batch stopped at a failed request: {@code message} names the object or listing and the store's error. */
    void failed(String message) {
        long now = clock.getAsLong();
        failures++;
        failedAt = now;
        if (since < 0) {
            since = now;
            reportedAt = now;
            LOG.warn("Object store {} fails: {}. Reading stops there and is tried again every second until the store"
                    + " answers; nothing is skipped", store, message);
        } else if (now - reportedAt >= REPEAT_MILLIS) {
            reportedAt = now;
            LOG.warn("Object store {} still fails after {} s ({} failed batches): {}", store, (now - since) / 1000,
                    failures, message);
        }
    }

    /** Whether the store failed less than {@link #PAUSE_MILLIS} ago: the next batch should not ask it yet. */
    boolean pausing() {
        return since >= 0 && clock.getAsLong() - failedAt < PAUSE_MILLIS;
    }

    /** A batch was read without a failed request: ends an outage, if there was one. */
    void answered() {
        if (since >= 0) {
            LOG.info("Object store {} answers again after {} s and {} failed batches; reading goes on where it"
                    + " stopped", store, (clock.getAsLong() - since) / 1000, failures);
            since = -1;
            failures = 0;
        }
    }
}
