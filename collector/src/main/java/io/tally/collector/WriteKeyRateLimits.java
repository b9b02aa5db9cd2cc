package io.tally.collector;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** A token bucket of events per source (write key): a steady rate with a burst above it. */
final class WriteKeyRateLimits {
    private final long eventsPerSecond;
    private final long burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    WriteKeyRateLimits(long eventsPerSecond, long burst) {
        this.eventsPerSecond = eventsPerSecond;
        this.burst = burst;
    }

    /** Takes {@code events} from the source's bucket, or refuses the whole request with how long to wait. */
    void acquire(String source, int events) throws RequestRefused {
        if (eventsPerSecond == 0 || events == 0) {
            return;
        }
        if (events > burst) {
            throw new RequestRefused(Refusal.RATE_LIMITED, "the request has " + events + " events, more than the "
                    + "burst of " + burst + " this write key may send at once; send smaller batches", 1);
        }
        Bucket bucket = buckets.computeIfAbsent(source, s -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(eventsPerSecond, Duration.ofSeconds(1))
                        .build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(events);
        if (!probe.isConsumed()) {
            long wait = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
            throw new RequestRefused(Refusal.RATE_LIMITED, "this write key may send " + eventsPerSecond
                    + " events per second (burst " + burst + "); retry after " + wait + " s", wait);
        }
    }
}
