package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DashboardCommandTest {

    @Test
    void isASubcommandOfTallyAndNeedsAConfiguration() {
        CommandLine tally = TallyCommand.commandLine();
        StringWriter err = new StringWriter();
        tally.setErr(new PrintWriter(err));
        assertThat(tally.execute("dashboard")).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(err.toString()).contains("Missing required option: '--config=FILE'");
        StringWriter out = new StringWriter();
        tally.setOut(new PrintWriter(out));
        assertThat(tally.execute("dashboard", "--help")).isZero();
        assertThat(out.toString()).contains("default 127.0.0.1:8089").contains("--port");
    }
}
