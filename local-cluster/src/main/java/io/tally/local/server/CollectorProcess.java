package io.tally.local.server;

import io.tally.collector.cli.CollectorCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The collector ({@code tally-collector -c tally.yaml}) in a JVM of its own, started like the other servers through
 * {@link ChildJvm}: it dies with this JVM, {@link #kill} ends it with SIGKILL through its process handle, and
 * {@link #startAgain} starts a new one on the same port and configuration, so clients reconnect where they were.
 */
public final class CollectorProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path configFile;
    private final int port;
    private final List<String> jvmOptions;
    private final Path logFile;
    private final Map<String, String> environment;
    private final ChildJvm jvm;

    private CollectorProcess(Path configFile, int port, List<String> jvmOptions, Path logFile,
            Map<String, String> environment, ChildJvm jvm) {
        this.configFile = configFile;
        this.port = port;
        this.jvmOptions = jvmOptions;
        this.logFile = logFile;
        this.environment = environment;
        this.jvm = jvm;
    }

    /**
     * Starts the collector of {@code configFile} (a {@code tally.yaml} with a {@code collector:} section) on
     * 127.0.0.1 and returns once it accepts connections.
     *
     * @param port the port to listen on; 0 picks a free one, kept for {@link #startAgain}
     * @param jvmOptions options of its JVM, such as {@code -Xmx256m}
     * @param logFile where its output is appended
     * @param environment variables it sees besides this process's own (write keys named in the file)
     */
    public static CollectorProcess start(Path configFile, int port, List<String> jvmOptions, Path logFile,
            Map<String, String> environment) {
        int claimed = Ports.claim(port, "the collector", "another port");
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-XX:+UseG1GC");
        ChildJvm jvm = ChildJvm.start(new ChildJvm.Spec("Collector", ChildJvm.SAME_CLASSPATH, options,
                CollectorCommand.class.getName(),
                List.of("-c", configFile.toAbsolutePath().toString(), "--bind", Ports.HOST, "--port",
                        String.valueOf(claimed)),
                logFile.toAbsolutePath().getParent(), logFile, List.of(), environment));
        jvm.awaitReady(() -> Ports.accepting(claimed), START_TIMEOUT);
        return new CollectorProcess(configFile, claimed, List.copyOf(jvmOptions), logFile, Map.copyOf(environment),
                jvm);
    }

    /** A new collector on the same port, configuration and log; this one must have exited. */
    public CollectorProcess startAgain() {
        if (jvm.isAlive()) {
            throw new IllegalStateException("the collector is still running (pid " + jvm.pid() + ")");
        }
        return start(configFile, port, jvmOptions, logFile, environment);
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}, the endpoint a Segment SDK is given. */
    public String url() {
        return "http://" + Ports.HOST + ":" + port;
    }

    public long pid() {
        return jvm.pid();
    }

    public boolean isAlive() {
        return jvm.isAlive();
    }

    /** SIGKILL to its process, as a crash: no shutdown hook, no answer to the requests in hand, nothing flushed. */
    public void kill() {
        jvm.kill();
    }

    /** The end of its log, for a failure message. */
    public String logTail() {
        return jvm.logTail();
    }

    /** SIGTERM (the collector answers the requests in hand and flushes), then SIGKILL if it lingers. */
    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(30));
    }
}
