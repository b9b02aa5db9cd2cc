package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.it.support.RealServices;
import io.tally.it.support.TallyCli;
import io.tally.it.support.TallyCli.Run;
import io.tally.it.support.TestCertificates;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestTopologies;
import io.tally.local.server.CassandraServer;
import io.tally.local.server.CassandraServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tally against a Cassandra that only speaks TLS (client_encryption_options with a key store made here by keytool):
 * with {@code cassandra.ssl} and a trust store it connects and verifies that the node's certificate names the
 * address it connected to; a certificate that names another host, or one nobody trusts, is refused in one line that
 * says which; the trust store's password never appears in anything Tally prints.
 */
@ExtendWith(RealServices.class)
class CassandraTlsTest {

    @Test
    void connectsWithHostnameVerificationAndRefusesACertificateForAnotherName() throws Exception {
        Path dir = TestDirectories.create("tls-cassandra-");
        String keyPassword = "key-" + UUID.randomUUID();
        String trustPassword = "trust-" + UUID.randomUUID();
        Path named = TestCertificates.keyPair(dir, "named", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost", keyPassword);
        Path misnamed = TestCertificates.keyPair(dir, "misnamed", "CN=cassandra.invalid", "SAN=dns:cassandra.invalid", keyPassword);
        // Both certificates trusted: the second is refused for its name alone.
        Path truststore = dir.resolve("truststore.p12");
        TestCertificates.trust(named, keyPassword, "named", truststore, trustPassword);
        TestCertificates.trust(misnamed, keyPassword, "misnamed", truststore, trustPassword);
        String topic = "tls-events";
        TestTopologies.createTopic(topic, 1);

        String trusted = "ssl:\n    truststore_path: " + truststore + "\n    truststore_password: " + trustPassword;
        Path data = dir.resolve("cassandra");
        List<Run> runs = new ArrayList<>();
        try (CassandraServer cassandra = CassandraServer.start(CassandraServerConfig.builder(data)
                .nativePort(0).storagePort(0).clientTls(named, keyPassword).build())) {
            String contact = contact(cassandra);
            Path verified = write(dir, "verified.yaml", topic, contact, trusted);
            Run applied = run(runs, "schema", "apply", "--config", verified.toString());
            assertThat(applied.exitCode()).as(applied.text()).isZero();
            Run dryRun = run(runs, "submit", "--dry-run", "--config", verified.toString());
            assertThat(dryRun.exitCode()).as(dryRun.text()).isZero();
            assertThat(dryRun.out()).contains("sslHostnameVerification=true", "sslTruststorePassword=****",
                    "Kafka and Cassandra answered; the schema is complete");

            Path untrusted = write(dir, "untrusted.yaml", topic, contact, "ssl: true");
            Run refused = run(runs, "schema", "check", "--config", untrusted.toString());
            assertThat(refused.exitCode()).isEqualTo(3);
            assertThat(refused.err().strip()).startsWith("Cassandra at [" + contact + "] presented a TLS certificate"
                    + " that is not trusted (").endsWith("put its CA in a trust store and set"
                    + " cassandra.ssl.truststore_path and cassandra.ssl.truststore_password");
        }
        try (CassandraServer cassandra = CassandraServer.start(CassandraServerConfig.builder(data)
                .nativePort(0).storagePort(0).clientTls(misnamed, keyPassword).build())) {
            String contact = contact(cassandra);
            Path verified = write(dir, "verified-again.yaml", topic, contact, trusted);
            Run refused = run(runs, "schema", "check", "--config", verified.toString());
            assertThat(refused.exitCode()).as(refused.text()).isEqualTo(3);
            assertThat(refused.err().strip()).isEqualTo("Cassandra at [" + contact + "] presented a TLS certificate that"
                    + " does not name the address Tally connected to (No subject alternative names matching IP address"
                    + " 127.0.0.1 found): the certificate must list each node's address or host name as a subject"
                    + " alternative name, or cassandra.ssl.hostname_verification: false turns the check off (not"
                    + " recommended)");

            Path unverified = write(dir, "unverified.yaml", topic, contact,
                    trusted + "\n    hostname_verification: false");
            Run accepted = run(runs, "schema", "check", "--config", unverified.toString());
            assertThat(accepted.exitCode()).as(accepted.text()).isZero();
        } finally {
            TestDirectories.delete(dir);
        }
        for (Run run : runs) {
            assertThat(run.text()).doesNotContain(trustPassword).doesNotContain(keyPassword);
        }
    }

    private static String contact(CassandraServer cassandra) {
        return cassandra.contactPoint().getHostString() + ":" + cassandra.contactPoint().getPort();
    }

    private static Path write(Path dir, String name, String topic, String contact, String ssl) throws IOException {
        return Files.writeString(dir.resolve(name), """
                kafka:
                  bootstrap_servers: %s
                  topics: [%s]
                cassandra:
                  contact_points: ["%s"]
                  local_datacenter: datacenter1
                  keyspace: tls
                  %s
                """.formatted(RealServices.stack().kafka().bootstrapServers(), topic, contact,
                ssl.replace("\n", "\n  ")));
    }

    private static Run run(List<Run> runs, String... args) {
        Run run = TallyCli.run(args);
        runs.add(run);
        return run;
    }
}
