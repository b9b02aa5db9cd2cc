package io.tally.cli;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import io.tally.state.cassandra.CassandraConnectionProblem;
import io.tally.state.cassandra.CassandraSettings;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command that connects to Cassandra says when no node answers it, or every node refuses it: the one line
 * of {@link CassandraConnectionProblem} on the command's error stream (so a caller that gave picocli its own stream
 * sees it there), and the exit code for an unreachable service.
 */
final class CassandraUnreachable {
    private CassandraUnreachable() {
    }

    /** Reports the failure; returns {@link TallyCommand#EXIT_UNAVAILABLE}, the command's exit code. */
    static int report(CommandSpec spec, CassandraSettings settings, AllNodesFailedException failure) {
        spec.commandLine().getErr().println(CassandraConnectionProblem.describe(settings, failure));
        return TallyCommand.EXIT_UNAVAILABLE;
    }
}
