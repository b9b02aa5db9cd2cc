package io.tally.local.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A local single-node Cassandra 5.0.
 *
 * @param dataDir data, commit log, hints and caches; reused on restart
 * @param nativePort the CQL port; 0 picks a free port
 * @param storagePort the inter-node port (unused by clients, but bound); 0 picks a free port
 * @param heap the server's -Xmx (and -Xms)
 * @param startTimeout how long start-up may take before it is reported as failed
 * @param passwordAuthentication Cassandra's {@code PasswordAuthenticator} with its default superuser
 *     ({@value #SUPERUSER}/{@value #SUPERUSER}), as production clusters run; off by default
 * @param clientTls the key store clients' TLS connections are served with (then only TLS is accepted); null: none
 */
public record CassandraServerConfig(Path dataDir, int nativePort, int storagePort, String heap, Duration startTimeout,
        boolean passwordAuthentication, ClientTls clientTls) {

    /** A key store (PKCS12 or JKS) holding the server's key and certificate, and its password. */
    public record ClientTls(Path keystore, String password) {
        public ClientTls {
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "ClientTls[keystore=" + keystore + ", password=****]";
        }
    }

    /** The default superuser's name and password when password authentication is on. */
    public static final String SUPERUSER = "cassandra";

    public CassandraServerConfig {
        ServerBuilder.requireSettings(dataDir, heap, startTimeout);
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Defaults: the usual CQL port 9042, storage port 7000, heap 1g, start-up within 120 s. */
    public static final class Builder extends ServerBuilder<Builder> {
        private int nativePort = 9042;
        private int storagePort = 7000;
        private boolean passwordAuthentication;
        private ClientTls clientTls;

        private Builder(Path dataDir) {
            super(dataDir, "1g", Duration.ofSeconds(120));
        }

        public Builder nativePort(int nativePort) {
            this.nativePort = nativePort;
            return this;
        }

        public Builder storagePort(int storagePort) {
            this.storagePort = storagePort;
            return this;
        }

        /** Default off: any client may connect. */
        public Builder passwordAuthentication(boolean on) {
            this.passwordAuthentication = on;
            return this;
        }

        /** Default none: clients connect in plain text. */
        public Builder clientTls(Path keystore, String password) {
            this.clientTls = new ClientTls(keystore, password);
            return this;
        }

        public CassandraServerConfig build() {
            return new CassandraServerConfig(dataDir, nativePort, storagePort, heap, startTimeout,
                    passwordAuthentication, clientTls);
        }
    }
}
