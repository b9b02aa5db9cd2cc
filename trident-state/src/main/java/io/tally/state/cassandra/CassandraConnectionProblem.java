package io.tally.state.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import java.util.List;

/**
 * One line for a failed connection to Cassandra that says what to fix: credentials refused, credentials missing,
 * or nothing answering. The driver reports all three as "could not reach any contact point". Never includes the
 * password.
 */
public final class CassandraConnectionProblem {
    private CassandraConnectionProblem() {
    }

    public static String describe(CassandraSettings settings, AllNodesFailedException failure) {
        boolean authentication = failure.getAllErrors().values().stream()
                .flatMap(List::stream)
                .anyMatch(CassandraConnectionProblem::isAuthentication);
        String where = "Cassandra at " + settings.contactPoints();
        if (authentication && settings.username() == null) {
            return where + " requires a username and password: set cassandra.username and cassandra.password";
        }
        if (authentication) {
            return where + " rejected the credentials of user '" + settings.username()
                    + "': check cassandra.username and cassandra.password";
        }
        return "Cannot reach " + where + " (datacenter " + settings.localDatacenter() + "): " + failure.getMessage();
    }

    private static boolean isAuthentication(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException) {
                return true;
            }
        }
        return false;
    }
}
