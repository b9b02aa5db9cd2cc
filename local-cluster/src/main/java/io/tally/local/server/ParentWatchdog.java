package io.tally.local.server;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of every server JVM Tally starts: exits the server when its parent goes away, then runs the
 * server's own main class.
 *
 * <p>The parent holds the write end of this process's stdin. When the parent dies, however it dies (kill -9
 * included), the pipe closes and the read below returns end-of-file; {@code System.exit} then runs the
 * server's shutdown hooks, so no server outlives the test or runner that started it.
 *
 * <p>A server's own children go with it: however the server exits (its parent gone, a SIGTERM from the launcher,
 * Ctrl-C), a shutdown hook stops every process below it. Storm's supervisor starts each worker as a grandchild
 * and leaves workers running when it stops (as a supervisor restart in production should), so without this the
 * workers of a test cluster outlived a test JVM killed with SIGKILL.
 */
public final class ParentWatchdog {
    private static final Duration DESCENDANT_GRACE = Duration.ofSeconds(5);
    private ParentWatchdog() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            System.err.println("usage: ParentWatchdog <main class> [args…]");
            System.exit(64);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(ParentWatchdog::stopDescendants, "tally-stop-descendants"));
        Thread watch = new Thread(ParentWatchdog::exitWhenStdinCloses, "tally-parent-watchdog");
        watch.setDaemon(true);
        watch.start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** SIGTERM to every descendant, then SIGKILL to those still running after a grace period. */
    private static void stopDescendants() {
        List<ProcessHandle> descendants = ProcessHandle.current().descendants().toList();
        descendants.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + DESCENDANT_GRACE.toNanos();
        for (ProcessHandle process : descendants) {
            long left = Math.max(0, deadline - System.nanoTime());
            process.onExit().completeOnTimeout(process, left, TimeUnit.NANOSECONDS).join();
            process.destroyForcibly();
        }
    }

    private static void exitWhenStdinCloses() {
        InputStream in = System.in;
        byte[] buffer = new byte[64];
        try {
            while (in.read(buffer) >= 0) {
                // The parent never writes; anything read is ignored.
            }
        } catch (IOException e) {
            // A broken pipe means the same as end-of-file: the parent is gone.
        }
        System.err.println("tally: parent process is gone, shutting down");
        System.exit(0);
    }
}
