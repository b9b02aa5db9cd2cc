package io.tally.testsupport;

import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects what Tally's own loggers ({@code io.tally}) write at WARN and above while open, from every thread of this
 * JVM, so a test can check what an operator would have seen in the log.
 */
public final class LogCapture implements AutoCloseable {
    /** One line as logged: its logger and its formatted message. */
    public record Line(String logger, Level level, String message) {
    }

    private static final String TALLY_LOGGERS = "io.tally";

    private final List<Line> lines = new ArrayList<>();
    private final Collector appender = new Collector();

    private LogCapture() {
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        tallyLoggers(context).addAppender(capture.appender, Level.WARN, null);
        context.updateLoggers();
        return capture;
    }

    public synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        tallyLoggers(context).removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }

    private static LoggerConfig tallyLoggers(LoggerContext context) {
        LoggerConfig config = context.getConfiguration().getLoggerConfig(TALLY_LOGGERS);
        if (!config.getName().equals(TALLY_LOGGERS)) {
            throw new IllegalStateException("the log configuration has no '" + TALLY_LOGGERS + "' logger to watch");
        }
        return config;
    }

    private final class Collector extends AbstractAppender {
        Collector() {
            super("tally-log-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            synchronized (LogCapture.this) {
                lines.add(new Line(event.getLoggerName(), event.getLevel(), event.getMessage().getFormattedMessage()));
            }
        }
    }
}
