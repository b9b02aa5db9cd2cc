package io.tally.it.support;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The most heap this JVM used while it was open, sampled every 100 ms. With Storm's LocalCluster in the test JVM
 * this includes the topology's workers: what an outage makes them hold on to shows up here.
 */
public final class HeapPeak implements AutoCloseable {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peakBytes = new AtomicLong();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-heap-peak");
        t.setDaemon(true);
        return t;
    });

    public HeapPeak() {
        sampler.scheduleAtFixedRate(() -> peakBytes.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max),
                0, 100, TimeUnit.MILLISECONDS);
    }

    public long peakMiB() {
        return peakBytes.get() >> 20;
    }

    /** The heap this JVM may grow to ({@code -Xmx}). */
    public long maxMiB() {
        return memory.getHeapMemoryUsage().getMax() >> 20;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
