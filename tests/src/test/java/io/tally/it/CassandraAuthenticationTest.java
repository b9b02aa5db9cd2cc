package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.RealServices;
import io.tally.it.support.TallyCli;
import io.tally.it.support.TallyCli.Run;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestTopologies;
import io.tally.local.server.CassandraServer;
import io.tally.local.server.CassandraServerConfig;
import io.tally.state.schema.SchemaApplier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tally against a Cassandra that requires a password (PasswordAuthenticator, as production runs it): the right
 * credentials apply the schema, pass the pre-submit checks and answer queries; wrong or missing credentials get
 * one line saying which, exit code 3, at once; the password never appears in anything Tally prints.
 */
@ExtendWith(RealServices.class)
class CassandraAuthenticationTest {
    private static final String USER = "tally_app";

    @Test
    void rightCredentialsWorkAndWrongOnesAreNamedWithoutTheSecret() throws Exception {
        Path dir = TestDirectories.create("secured-cassandra-");
        String password = "pw-" + UUID.randomUUID();
        String wrongPassword = "wrong-" + UUID.randomUUID();
        String topic = "secured-events";
        TestTopologies.createTopic(topic, 1);
        try (CassandraServer cassandra = CassandraServer.start(CassandraServerConfig.builder(dir.resolve("cassandra"))
                .nativePort(0).storagePort(0).passwordAuthentication(true).build())) {
            String contact = cassandra.contactPoint().getHostString() + ":" + cassandra.contactPoint().getPort();
            try (CqlSession admin = CqlSession.builder().addContactPoint(cassandra.contactPoint())
                    .withLocalDatacenter(cassandra.localDatacenter())
                    .withAuthCredentials(CassandraServerConfig.SUPERUSER, CassandraServerConfig.SUPERUSER).build()) {
                admin.execute("CREATE ROLE " + USER + " WITH PASSWORD = '" + password + "' AND LOGIN = true");
                admin.execute("GRANT ALL PERMISSIONS ON ALL KEYSPACES TO " + USER);

                Path right = write(dir, "right.yaml", topic, contact, "username: " + USER + "\n  password: " + password);
                Path wrong = write(dir, "wrong.yaml", topic, contact, "username: " + USER + "\n  password: " + wrongPassword);
                Path none = write(dir, "none.yaml", topic, contact, "");

                Run applied = TallyCli.run("schema", "apply", "--config", right.toString());
                assertThat(applied.exitCode()).as(applied.text()).isZero();
                long tables = admin.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = 'secured'")
                        .all().size();
                assertThat(tables).isEqualTo(SchemaApplier.bundled().tableNames().size());

                Run dryRun = TallyCli.run("submit", "--dry-run", "--config", right.toString());
                assertThat(dryRun.exitCode()).as(dryRun.text()).isZero();
                assertThat(dryRun.out()).contains("Kafka and Cassandra answered; the schema is complete");

                admin.execute("INSERT INTO secured.event_counts_by_day (event, month, day, count, txid, prev_count)"
                        + " VALUES ('Order Completed', '2026-11', '2026-11-20', 7, 1, 0)");
                Run query = TallyCli.run("query", "counts", "--event", "Order Completed", "--from", "2026-11-20", "--to",
                        "2026-11-21", "--granularity", "day", "--config", right.toString());
                assertThat(query.exitCode()).as(query.text()).isZero();
                assertThat(query.out()).contains("2026-11-20      7");

                Run refused = TallyCli.run("schema", "check", "--config", wrong.toString());
                assertThat(refused.exitCode()).isEqualTo(3);
                assertThat(refused.err().strip()).isEqualTo("Cassandra at [" + contact + "] rejected the credentials of"
                        + " user '" + USER + "': check cassandra.username and cassandra.password");
                Run refusedDryRun = TallyCli.run("submit", "--dry-run", "--config", wrong.toString());
                assertThat(refusedDryRun.exitCode()).isEqualTo(3);
                assertThat(refusedDryRun.err()).contains("rejected the credentials of user '" + USER + "'");

                Run anonymous = TallyCli.run("query", "users", "--from", "2026-11-20", "--to", "2026-11-21", "--config",
                        none.toString());
                assertThat(anonymous.exitCode()).isEqualTo(3);
                assertThat(anonymous.err().strip()).isEqualTo("Cassandra at [" + contact + "] requires a username and"
                        + " password: set cassandra.username and cassandra.password");

                for (Run run : new Run[] {applied, dryRun, query, refused, refusedDryRun, anonymous}) {
                    assertThat(run.text()).doesNotContain(password).doesNotContain(wrongPassword);
                }
            }
        } finally {
            TestDirectories.delete(dir);
        }
    }

    private static Path write(Path dir, String name, String topic, String contact, String credentials)
            throws IOException {
        return Files.writeString(dir.resolve(name), """
                kafka:
                  bootstrap_servers: %s
                  topics: [%s]
                cassandra:
                  contact_points: ["%s"]
                  local_datacenter: datacenter1
                  keyspace: secured
                  %s
                """.formatted(RealServices.stack().kafka().bootstrapServers(), topic, contact, credentials));
    }
}
