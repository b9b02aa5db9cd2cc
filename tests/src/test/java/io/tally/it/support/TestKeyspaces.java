package io.tally.it.support;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.SchemaApplier;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A fresh keyspace with Tally's schema for each test, on the shared real Cassandra. */
public final class TestKeyspaces {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static CqlSession session;

    private TestKeyspaces() {
    }

    /** Creates {@code it_<purpose>_<n>} with every table of deploy/schema.cql and returns its name. */
    public static String create(String purpose) {
        String keyspace = "it_" + purpose + "_" + SEQUENCE.incrementAndGet();
        SchemaApplier.bundled().apply(session(), keyspace, Map.of("class", "SimpleStrategy", "replication_factor", "1"));
        return keyspace;
    }

    public static CassandraSettings settings(String keyspace) {
        InetSocketAddress contact = RealServices.stack().cassandra().contactPoint();
        return CassandraSettings.builder()
                .contactPoint(contact.getHostString() + ":" + contact.getPort())
                .localDatacenter(RealServices.stack().cassandra().localDatacenter())
                .keyspace(keyspace)
                .build();
    }

    /** A session of the tests' own (not the topology's shared one). */
    public static synchronized CqlSession session() {
        if (session == null || session.isClosed()) {
            session = SessionRegistry.builder(settings("system")).build();
        }
        return session;
    }

    static synchronized void closeSession() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
