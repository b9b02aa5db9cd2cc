package io.tally.local.server;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * A server running in a JVM of its own, started from a classpath Maven resolved: the one piece Kafka and
 * Cassandra share. It starts the JVM through {@link ParentWatchdog}, sends its output to a log file, waits for
 * readiness, reports a failed start with the log's tail, and stops it by its process handle.
 *
 * <p>Every running child is stopped by a JVM shutdown hook as well (normal exit, Ctrl-C), and by the
 * watchdog if this JVM dies without running hooks.
 */
final class ChildJvm {
    private static final Set<ChildJvm> RUNNING = Collections.synchronizedSet(new LinkedHashSet<>());
    private static final int LOG_TAIL_LINES = 40;
    /** In place of a classpath resource: the child runs with this JVM's classpath (Tally's code, not a server's). */
    static final String SAME_CLASSPATH = "(the classpath of this JVM)";

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            List<ChildJvm> running;
            synchronized (RUNNING) {
                running = new ArrayList<>(RUNNING);
            }
            Collections.reverse(running);
            running.forEach(child -> child.stop(Duration.ofSeconds(15)));
        }, "tally-stop-servers"));
    }

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final Path logFile;

    private ChildJvm(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.logFile = logFile;
    }

    /**
     * How to start one server JVM.
     *
     * @param extraClasspath entries after the server's classpath (a topology jar, a configuration directory)
     * @param environment variables added to this process's environment
     */
    record Spec(String name, String classpathResource, List<String> jvmOptions, String mainClass,
            List<String> args, Path workDir, Path logFile, List<String> extraClasspath,
            java.util.Map<String, String> environment) {

        Spec(String name, String classpathResource, List<String> jvmOptions, String mainClass, List<String> args,
                Path workDir, Path logFile) {
            this(name, classpathResource, jvmOptions, mainClass, args, workDir, logFile, List.of(),
                    java.util.Map.of());
        }
    }

    static ChildJvm start(Spec spec) {
        List<String> command = new ArrayList<>(dropMemoryLockCapability());
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        List<String> classpath = new ArrayList<>();
        classpath.add(classpath(spec.classpathResource()));
        classpath.addAll(spec.extraClasspath());
        command.add(String.join(File.pathSeparator, classpath));
        command.addAll(spec.jvmOptions());
        command.add(ParentWatchdog.class.getName());
        command.add(spec.mainClass());
        command.addAll(spec.args());
        try {
            Files.createDirectories(spec.logFile().getParent());
            Files.createDirectories(spec.workDir());
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(spec.environment());
            Process process = builder
                    .directory(spec.workDir().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile()))
                    .start();
            ChildJvm child = new ChildJvm(spec.name(), process, spec.logFile());
            RUNNING.add(child);
            return child;
        } catch (IOException e) {
            throw new ServerStartException(spec.name() + " could not be started: " + e.getMessage(), e);
        }
    }

    /** Runs a short-lived tool (same classpath) to completion, e.g. formatting storage; fails with its output. */
    static void runToCompletion(Spec spec, Duration timeout) {
        ChildJvm tool = start(spec);
        try {
            if (!tool.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                tool.kill();
                throw new ServerStartException(spec.name() + " did not finish within " + timeout.toSeconds()
                        + " s\n" + tool.logTail());
            }
            RUNNING.remove(tool);
            if (tool.process.exitValue() != 0) {
                throw new ServerStartException(spec.name() + " failed with exit code " + tool.process.exitValue()
                        + "\n" + tool.logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tool.kill();
            throw new ServerStartException(spec.name() + " was interrupted", e);
        }
    }

    /**
     * Waits until {@code ready} answers true. Fails at once if the process exits, or after the timeout;
     * either way the server is stopped and the message carries the end of its log.
     */
    void awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                RUNNING.remove(this);
                throw new ServerStartException(name + " exited during start-up with code " + process.exitValue()
                        + "; its log " + logFile + " ends:\n" + logTail());
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stop(Duration.ofSeconds(10));
                throw new ServerStartException(name + " was not ready within " + timeout.toSeconds()
                        + " s; its log " + logFile + " ends:\n" + logTail());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(Duration.ofSeconds(10));
                throw new ServerStartException("interrupted while waiting for " + name, e);
            }
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, so the server shuts down cleanly; SIGKILL if it has not exited within {@code grace}. */
    void stop(Duration grace) {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            closeStdin();
            RUNNING.remove(this);
        }
    }

    /** SIGKILL at once, as a crash would; for fault tests. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeStdin();
            RUNNING.remove(this);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log " + logFile + " unreadable: " + e.getMessage() + ")";
        }
    }

    private void closeStdin() {
        try {
            stdin.close();
        } catch (IOException e) {
            // Already closed by the exit of the process.
        }
    }

    /**
     * As root, Cassandra locks its whole heap in memory (mlockall); dropping the capability avoids that and
     * keeps its memory use to what it touches.
     */
    private static List<String> dropMemoryLockCapability() {
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            return List.of("/usr/bin/setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock");
        }
        return List.of();
    }

    /** A classpath a runtime module's build wrote, every entry checked to exist. */
    static String runtimeClasspath(String resource) {
        try (InputStream in = ChildJvm.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ServerStartException(resource + " is not on the classpath: build the project with Maven"
                        + " (mvn -DskipTests package) so the server runtime modules write it");
            }
            String serverClasspath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            for (String entry : serverClasspath.split(File.pathSeparator)) {
                if (!Files.exists(Path.of(entry))) {
                    throw new ServerStartException("the server classpath names " + entry
                            + ", which does not exist: rebuild with Maven (mvn -DskipTests package)");
                }
            }
            return serverClasspath;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** The server's classpath plus the watchdog's own location. */
    private static String classpath(String resource) {
        if (SAME_CLASSPATH.equals(resource)) {
            // Absolute, since the child runs in a directory of its own.
            return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .map(entry -> Path.of(entry).toAbsolutePath().toString())
                    .collect(Collectors.joining(File.pathSeparator));
        }
        try {
            Path self = Path.of(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return runtimeClasspath(resource) + File.pathSeparator + self;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the tally-local-cluster classes", e);
        }
    }
}
