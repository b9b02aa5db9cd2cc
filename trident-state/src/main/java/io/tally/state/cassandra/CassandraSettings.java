package io.tally.state.cassandra;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How Tally reaches Cassandra. Immutable and serializable: it travels inside the topology to every
 * worker, where it is turned into one shared driver session per worker JVM.
 *
 * <p>Every default lives in {@link Builder}; {@link #toString()} never shows the password.
 */
public final class CassandraSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<String> contactPoints;
    private final String localDatacenter;
    private final String keyspace;
    private final String username;
    private final String password;
    private final String readConsistency;
    private final String writeConsistency;
    private final Duration requestTimeout;
    private final int maxRequestsInFlight;
    private final boolean ssl;
    private final boolean sslHostnameVerification;
    private final String sslTruststorePath;
    private final String sslTruststorePassword;

    private CassandraSettings(Builder b) {
        this.contactPoints = List.copyOf(b.contactPoints);
        this.localDatacenter = b.localDatacenter;
        this.keyspace = b.keyspace;
        this.username = b.username;
        this.password = b.password;
        this.readConsistency = b.readConsistency;
        this.writeConsistency = b.writeConsistency;
        this.requestTimeout = b.requestTimeout;
        this.maxRequestsInFlight = b.maxRequestsInFlight;
        this.ssl = b.ssl;
        this.sslHostnameVerification = b.sslHostnameVerification;
        this.sslTruststorePath = b.sslTruststorePath;
        this.sslTruststorePassword = b.sslTruststorePassword;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.contactPoints.addAll(contactPoints);
        b.localDatacenter = localDatacenter;
        b.keyspace = keyspace;
        b.username = username;
        b.password = password;
        b.readConsistency = readConsistency;
        b.writeConsistency = writeConsistency;
        b.requestTimeout = requestTimeout;
        b.maxRequestsInFlight = maxRequestsInFlight;
        b.ssl = ssl;
        b.sslHostnameVerification = sslHostnameVerification;
        b.sslTruststorePath = sslTruststorePath;
        b.sslTruststorePassword = sslTruststorePassword;
        return b;
    }

    /** {@code host:port} entries; the driver discovers the rest of the cluster from these. */
    public List<String> contactPoints() {
        return contactPoints;
    }

    public List<InetSocketAddress> contactAddresses() {
        List<InetSocketAddress> addresses = new ArrayList<>(contactPoints.size());
        for (String point : contactPoints) {
            int colon = point.lastIndexOf(':');
            if (colon < 0) {
                addresses.add(InetSocketAddress.createUnresolved(point, 9042));
            } else {
                addresses.add(InetSocketAddress.createUnresolved(
                        point.substring(0, colon), Integer.parseInt(point.substring(colon + 1))));
            }
        }
        return addresses;
    }

    public String localDatacenter() {
        return localDatacenter;
    }

    public String keyspace() {
        return keyspace;
    }

    /** Null when the cluster has no authentication. */
    public String username() {
        return username;
    }

    /** Null when the cluster has no authentication. Never log it. */
    public String password() {
        return password;
    }

    public String readConsistency() {
        return readConsistency;
    }

    public String writeConsistency() {
        return writeConsistency;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Bound on concurrent requests one state partition keeps in flight while reading or writing a batch. */
    public int maxRequestsInFlight() {
        return maxRequestsInFlight;
    }

    public boolean ssl() {
        return ssl;
    }

    /** With {@link #ssl}: whether each node's certificate must name the address Tally connects to it by. */
    public boolean sslHostnameVerification() {
        return sslHostnameVerification;
    }

    /** With {@link #ssl}: the trust store to verify certificates with; null for the JVM's default. */
    public String sslTruststorePath() {
        return sslTruststorePath;
    }

    /** The trust store's password, or null. Never log it. */
    public String sslTruststorePassword() {
        return sslTruststorePassword;
    }

    /**
     * The identity of the connection: settings that differ only in per-state tuning (keyspace, requests
     * in flight) share one session. Holds a hash of the password, never the password.
     */
    public String sessionKey() {
        return String.join(",", contactPoints) + "|" + localDatacenter + "|" + username + "|"
                + Objects.hashCode(password) + "|" + ssl + "|" + sslHostnameVerification + "|" + sslTruststorePath
                + "|" + Objects.hashCode(sslTruststorePassword) + "|" + requestTimeout.toMillis()
                + "|" + readConsistency + "|" + writeConsistency;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CassandraSettings other)) {
            return false;
        }
        return contactPoints.equals(other.contactPoints) && localDatacenter.equals(other.localDatacenter)
                && keyspace.equals(other.keyspace) && Objects.equals(username, other.username)
                && Objects.equals(password, other.password) && readConsistency.equals(other.readConsistency)
                && writeConsistency.equals(other.writeConsistency) && requestTimeout.equals(other.requestTimeout)
                && maxRequestsInFlight == other.maxRequestsInFlight && ssl == other.ssl
                && sslHostnameVerification == other.sslHostnameVerification
                && Objects.equals(sslTruststorePath, other.sslTruststorePath)
                && Objects.equals(sslTruststorePassword, other.sslTruststorePassword);
    }

    @Override
    public int hashCode() {
        return Objects.hash(contactPoints, localDatacenter, keyspace, username, readConsistency, writeConsistency);
    }

    @Override
    public String toString() {
        return "CassandraSettings{contactPoints=" + contactPoints + ", localDatacenter=" + localDatacenter
                + ", keyspace=" + keyspace + ", username=" + username
                + ", password=" + (password == null ? "<none>" : "****")
                + ", readConsistency=" + readConsistency + ", writeConsistency=" + writeConsistency
                + ", requestTimeout=" + requestTimeout + ", maxRequestsInFlight=" + maxRequestsInFlight
                + ", ssl=" + ssl + (ssl ? ", sslHostnameVerification=" + sslHostnameVerification
                        + ", sslTruststore=" + (sslTruststorePath == null ? "<the JVM's default>" : sslTruststorePath)
                        + (sslTruststorePassword == null ? "" : ", sslTruststorePassword=****") : "") + "}";
    }

    /** Defaults suit a single-datacenter cluster; each one is documented on its setter. */
    public static final class Builder {
        private final List<String> contactPoints = new ArrayList<>();
        private String localDatacenter = "datacenter1";
        private String keyspace = "tally";
        private String username;
        private String password;
        private String readConsistency = "LOCAL_QUORUM";
        private String writeConsistency = "LOCAL_QUORUM";
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxRequestsInFlight = 128;
        private boolean ssl;
        private boolean sslHostnameVerification = true;
        private String sslTruststorePath;
        private String sslTruststorePassword;

        private Builder() {
        }

        /** Default: {@code 127.0.0.1:9042} when none is given. */
        public Builder contactPoint(String hostAndPort) {
            contactPoints.add(requireText(hostAndPort, "contact point"));
            return this;
        }

        public Builder contactPoints(List<String> hostsAndPorts) {
            contactPoints.clear();
            hostsAndPorts.forEach(this::contactPoint);
            return this;
        }

        /** Default {@code datacenter1}; driver 4 refuses to guess it. */
        public Builder localDatacenter(String datacenter) {
            this.localDatacenter = requireText(datacenter, "local datacenter");
            return this;
        }

        /** Default {@code tally}. */
        public Builder keyspace(String keyspace) {
            this.keyspace = requireText(keyspace, "keyspace");
            return this;
        }

        /** Default: no authentication. */
        public Builder credentials(String username, String password) {
            this.username = username;
            this.password = password;
            return this;
        }

        /**
         * Default {@code LOCAL_QUORUM} for reads and writes: a read after a write of the same batch
         * must see it even when one replica is down, which exactly-once relies on.
         */
        public Builder consistency(String read, String write) {
            this.readConsistency = requireText(read, "read consistency");
            this.writeConsistency = requireText(write, "write consistency");
            return this;
        }

        /**
         * Default 10 s: long enough to ride out a compaction pause, short enough that a dead node
         * fails the batch (and Trident replays it) well before Storm's message timeout.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "request timeout");
            return this;
        }

        /**
         * Default 128 per state partition: keeps Cassandra busy without letting one batch queue
         * thousands of requests (and the memory they hold) when Cassandra slows down.
         */
        public Builder maxRequestsInFlight(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("max requests in flight must be at least 1, was " + max);
            }
            this.maxRequestsInFlight = max;
            return this;
        }

        /**
         * Default off. When on, every node's certificate must be trusted (by {@link #sslTruststore}, else the JVM's
         * default trust store) and must name the address Tally connects to it by ({@link #sslHostnameVerification}).
         */
        public Builder ssl(boolean ssl) {
            this.ssl = ssl;
            return this;
        }

        /**
         * Default on: without it, anyone who can take a node's address and holds any certificate the trust store
         * accepts could read and write the keyspace.
         */
        public Builder sslHostnameVerification(boolean verify) {
            this.sslHostnameVerification = verify;
            return this;
        }

        /** A trust store file (PKCS12 or JKS) and its password (null when it has none); default the JVM's. */
        public Builder sslTruststore(String path, String password) {
            this.sslTruststorePath = path == null ? null : requireText(path, "trust store path");
            this.sslTruststorePassword = password;
            return this;
        }

        public CassandraSettings build() {
            if (contactPoints.isEmpty()) {
                contactPoints.add("127.0.0.1:9042");
            }
            if ((username == null) != (password == null)) {
                throw new IllegalArgumentException("Cassandra username and password must be given together");
            }
            if (sslTruststorePassword != null && sslTruststorePath == null) {
                throw new IllegalArgumentException("a trust store password needs a trust store path");
            }
            return new CassandraSettings(this);
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return value.trim();
        }
    }
}
