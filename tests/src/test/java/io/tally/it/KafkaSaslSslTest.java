package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.it.support.CountTables;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestCertificates;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.kafka.KafkaTopics;
import io.tally.local.sample.EventGenerator;
import io.tally.local.server.KafkaServer;
import io.tally.local.server.KafkaServerConfig;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.topology.config.TallyConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tally's Kafka spout reading from a broker's SASL_SSL listener with a SCRAM-SHA-512 login, its certificate (made here
 * by keytool) verified against a trust store, as a secured production cluster runs: every event counted exactly, and
 * neither password in the configuration's printed form.
 */
@ExtendWith(RealServices.class)
class KafkaSaslSslTest {
    private static final int PARTITIONS = 2;

    @Test
    void theKafkaSpoutReadsASaslSslListenerWithScram() throws Exception {
        Path dir = TestDirectories.create("sasl-kafka-");
        String keyPassword = "key-" + UUID.randomUUID();
        String trustPassword = "trust-" + UUID.randomUUID();
        String scramPassword = "scram-" + UUID.randomUUID();
        Path keystore = TestCertificates.keyPair(dir, "broker", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost",
                keyPassword);
        Path truststore = dir.resolve("truststore.p12");
        TestCertificates.trust(keystore, keyPassword, "broker", truststore, trustPassword);
        String topic = "sasl-events";
        String keyspace = TestKeyspaces.create("sasl");
        TallyConfig config = null;
        try (KafkaServer kafka = KafkaServer.start(KafkaServerConfig.builder(dir.resolve("kafka")).port(0)
                .controllerPort(0).saslSsl(new KafkaServerConfig.SaslSsl(0, keystore, keyPassword, "tally",
                        scramPassword)).build())) {
            KafkaTopics.create(kafka.bootstrapServers(), topic, PARTITIONS);
            Truth truth = new Truth();
            EventGenerator generator = new EventGenerator(20261207L, Instant.parse("2026-11-17T00:00:00Z"), 24, 1_000);
            try (KafkaEvents events = new KafkaEvents(kafka.bootstrapServers(), topic, PARTITIONS)) {
                events.send(truth.generate(generator, 5_000));
            }
            config = TestTopologies.config("it-sasl-ssl", topic, keyspace).toBuilder()
                    .kafka(KafkaSpoutSettings.builder(kafka.saslSslBootstrapServers(), List.of(topic))
                            .consumerProperty("security.protocol", "SASL_SSL")
                            .consumerProperty("sasl.mechanism", "SCRAM-SHA-512")
                            .consumerProperty("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule"
                                    + " required username=\"tally\" password=\"" + scramPassword + "\";")
                            .consumerProperty("ssl.truststore.type", "PKCS12")
                            .consumerProperty("ssl.truststore.location", truststore.toString())
                            .consumerProperty("ssl.truststore.password", trustPassword)
                            .build())
                    .build();
            TestTopologies.submit(config);
            CountTables.assertExact(TestKeyspaces.session(), keyspace, truth, Duration.ofMinutes(2));
            assertThat(config.toString()).doesNotContain(scramPassword).doesNotContain(trustPassword);
        } finally {
            if (config != null) {
                TestTopologies.killQuietly(config.name());
            }
            TestDirectories.delete(dir);
        }
    }
}
