package io.tally.state.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * One line for a failed connection to Cassandra that says what to fix: credentials refused, credentials missing,
 * a TLS certificate that does not name the node or is not trusted, or nothing answering. The driver reports all three as "could not reach any contact point". Never includes the
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
        String tls = failure.getAllErrors().values().stream().flatMap(List::stream)
                .map(CassandraConnectionProblem::certificateProblem).filter(Objects::nonNull).findFirst().orElse(null);
        if (tls != null) {
            return where + " " + tls;
        }
        return "Cannot reach " + where + " (datacenter " + settings.localDatacenter() + "): " + failure.getMessage();
    }

    /** What is wrong with a node's TLS certificate, from the handshake's failure; null when it did not fail so. */
    private static String certificateProblem(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof CertificateException && message.startsWith("No ")
                    && (message.contains("subject alternative") || message.contains("name matching"))) {
                return "presented a TLS certificate that does not name the address Tally connected to (" + message
                        + "): the certificate must list each node's address or host name as a subject alternative"
                        + " name, or cassandra.ssl.hostname_verification: false turns the check off (not recommended)";
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return "presented a TLS certificate that is not trusted (" + message + "): put its CA in a trust"
                        + " store and set cassandra.ssl.truststore_path and cassandra.ssl.truststore_password";
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return "failed the TLS handshake (" + t.getMessage() + "): check cassandra.ssl and the nodes'"
                        + " client_encryption_options";
            }
        }
        return null;
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
