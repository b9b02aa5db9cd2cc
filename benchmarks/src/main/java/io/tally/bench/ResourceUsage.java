package io.tally.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

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

    /**
     * Waits until every process spends less than {@code cores} of CPU over a second, or {@code atMost} passes; says
     * whether they did. Creating a keyspace keeps Cassandra flushing and compacting its schema tables, and every
     * driver session re-reading the schema, for seconds: a run measured straight after would count that work as
     * the topology's.
     */
    boolean awaitIdle(double cores, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        Map<String, Duration> before = cpuNow();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            Map<String, Duration> now = cpuNow();
            boolean idle = true;
            for (Map.Entry<String, Duration> entry : now.entrySet()) {
                idle &= entry.getValue().minus(before.get(entry.getKey())).toMillis() < cores * 1000;
            }
            if (idle) {
                return true;
            }
            before = now;
        }
        return false;
    }

    /** CPU spent and the worker's memory high-water marks between {@link #open()} and {@link #close()}. */
    final class Window implements AutoCloseable {
        private final Map<String, Duration> cpuAtStart = cpuNow();
        private final Map<String, Map<String, ThreadTicks>> threadTicksAtStart = threadTicksNow();
        private Map<String, Map<String, Duration>> threadsSpent;
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
            threadsSpent = new LinkedHashMap<>();
            threadTicksNow().forEach((process, threads) -> {
                Map<String, ThreadTicks> before = threadTicksAtStart.getOrDefault(process, Map.of());
                Map<String, Long> ticksByGroup = new TreeMap<>();
                threads.forEach((tid, now) -> {
                    ThreadTicks then = before.get(tid);
                    ticksByGroup.merge(now.group(), now.ticks() - (then == null ? 0 : then.ticks()), Long::sum);
                });
                Map<String, Duration> byGroup = new LinkedHashMap<>();
                ticksByGroup.forEach((group, ticks) -> {
                    if (ticks > 0) {
                        byGroup.put(group, Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND));
                    }
                });
                threadsSpent.put(process, byGroup);
            });
        }

        /**
         * CPU time per process and thread group over the window (threads named alike, digits aside, form a group:
         * Storm's executor threads per component, the JIT compilers, GC threads; Linux keeps 15 characters of a
         * name, so one component's executors may fall into two groups); empty where /proc is not there. Only after
         * {@link #close()}. A thread that ended within the window is not in it.
         */
        Map<String, Map<String, Duration>> cpuByThreadGroup() {
            if (threadsSpent == null) {
                throw new IllegalStateException("the window is still open");
            }
            return threadsSpent;
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

    /** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture Linux runs Java on. */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    /** A thread's group (its name, digits aside) and the CPU clock ticks it has used. */
    private record ThreadTicks(String group, long ticks) {
    }

    /** Per process, each thread's CPU clock ticks by thread id, from /proc/<pid>/task/<tid>/stat. */
    private Map<String, Map<String, ThreadTicks>> threadTicksNow() {
        Map<String, Map<String, ThreadTicks>> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            Map<String, ThreadTicks> threads = new LinkedHashMap<>();
            try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name
                        threads.put(task.getFileName().toString(), new ThreadTicks(comm.replaceAll("[0-9]+", "N"),
                                Long.parseLong(fields[11]) + Long.parseLong(fields[12])));
                    } catch (IOException | RuntimeException threadEnded) {
                        // the thread ended between the listing and the read
                    }
                }
            } catch (IOException noProc) {
                // not Linux, or the process ended
            }
            ticks.put(name, threads);
        });
        return ticks;
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
