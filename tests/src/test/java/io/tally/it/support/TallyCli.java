package io.tally.it.support;

import io.tally.cli.TallyCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs one {@code tally …} command in this JVM and captures what it printed, as an operator would see it. */
public final class TallyCli {
    private TallyCli() {
    }

    /** What one command printed, and its exit code. */
    public record Run(int exitCode, String out, String err) {
        public String text() {
            return out + err;
        }
    }

    public static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
            int code = TallyCommand.commandLine().execute(args);
            return new Run(code, capturedOut.toString(StandardCharsets.UTF_8),
                    capturedErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
