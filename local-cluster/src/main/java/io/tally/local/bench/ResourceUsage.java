package io.tally.local.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time and memory of the processes a benchmark phase runs on: this JVM (the Storm worker, as LocalCluster runs
 * the topology here), the Kafka broker and Cassandra. A phase opens a window and closes it to read what was spent.
 */
final class ResourceUsage {
    private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(50);

    private final Map<String, Long> pids;

    /** @param pids the processes to account for, by a name for the report; include this JVM's own pid */
    ResourceUsage(Map<String, Long> pids) {
        this.pids = new LinkedHashMap<>(pids);
    }

    Window open() {
        return new Window();
    }

    /** CPU spent and the worker's memory high-water marks between {@link #open()} and {@link #close()}. */
    final class Window implements AutoCloseable {
        private final Map<String, Duration> cpuAtStart = cpuNow();
        private final Thread sampler;
        private volatile boolean open = true;
        private volatile long peakHeapUsed;
        private volatile long peakResident;
        private Map<String, Duration> spent;

        private Window() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            sampler = new Thread(() -> {
                while (open) {
                    peakHeapUsed = Math.max(peakHeapUsed, memory.getHeapMemoryUsage().getUsed());
                    peakResident = Math.max(peakResident, residentBytes());
                    try {
                        Thread.sleep(SAMPLE_INTERVAL.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "benchmark-memory-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        @Override
        public void close() {
            open = false;
            sampler.interrupt();
            Map<String, Duration> end = cpuNow();
            spent = new LinkedHashMap<>();
            end.forEach((name, cpu) -> spent.put(name, cpu.minus(cpuAtStart.getOrDefault(name, Duration.ZERO))));
        }

        /** CPU time per process over the window; only after {@link #close()}. */
        Map<String, Duration> cpu() {
            if (spent == null) {
                throw new IllegalStateException("the window is still open");
            }
            return spent;
        }

        long peakHeapUsedBytes() {
            return peakHeapUsed;
        }

        long peakResidentBytes() {
            return peakResident;
        }
    }

    private Map<String, Duration> cpuNow() {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(name, ProcessHandle.of(pid)
                .flatMap(process -> process.info().totalCpuDuration())
                .orElse(Duration.ZERO)));
        return cpu;
    }

    /** This JVM's resident set (VmRSS) on Linux, 0 where /proc is not there. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
