package io.tally.collector.cli;

import io.tally.collector.CollectorSettings;
import io.tally.collector.config.CollectorConfigLoader;
import io.tally.collector.http.CollectorServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tally-collector}: the runnable jar's entry point. Runs until stopped (SIGTERM or Ctrl-C). */
@Command(name = "tally-collector", mixinStandardHelpOptions = true, versionProvider = CollectorCommand.Version.class,
        description = "Segment-compatible HTTP tracking API that writes events to Tally's Kafka topic.")
public final class CollectorCommand implements Callable<Integer> {
    /** Exit code for a configuration the collector refuses; nothing was started. */
    static final int EXIT_BAD_CONFIG = 2;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The Tally configuration (YAML) with a collector section; see deploy/tally.yaml.")
    Path config;

    @Option(names = "--port", paramLabel = "PORT", description = "Listen on this port instead of collector.port.")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Listen on this address instead of collector.bind.")
    String bind;

    public static void main(String[] args) {
        // Named apart from log4j2.xml so a process embedding the collector keeps its own logging configuration.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "classpath:log4j2-collector.xml");
        }
        System.exit(new CommandLine(new CollectorCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        CollectorSettings settings;
        try {
            CollectorSettings.Builder builder = CollectorConfigLoader.withSystemEnvironment().load(config).toBuilder();
            if (port != null) {
                builder.port(port);
            }
            if (bind != null) {
                builder.bind(bind);
            }
            settings = builder.build();
        } catch (IllegalArgumentException e) {
            System.err.println("tally-collector: " + e.getMessage());
            return EXIT_BAD_CONFIG;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        CollectorServer server = CollectorServer.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "collector-shutdown"));
        System.out.println("tally-collector listening on http://" + settings.bind() + ":" + server.port()
                + " for sources " + settings.sourcesByWriteKey().values() + ", writing to topic " + settings.topic()
                + " at " + settings.bootstrapServers());
        stopped.await();
        return 0;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CollectorCommand.class.getPackage().getImplementationVersion();
            return new String[] {"tally-collector " + (version == null ? "(development build)" : version)};
        }
    }
}
