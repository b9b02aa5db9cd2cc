package io.tally.spouts.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSpoutSettingsTest {
    private static final String SECRET = "s3cr3t-value";

    @Test
    void everySecretIsMaskedAndNoOtherSetting() {
        Map<String, String> secrets = Map.of(
                "sasl.oauthbearer.client.credentials.client.secret", SECRET,
                "sasl.oauthbearer.assertion.private.key.passphrase", SECRET,
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required password=\""
                        + SECRET + "\";",
                "ssl.keystore.key", SECRET,
                "ssl.truststore.password", SECRET,
                "basic.auth.user.info", "user:" + SECRET,
                "schema.registry.api.key", SECRET,
                "vendor.access_token", SECRET,
                "vendor.client-secret", SECRET);
        Map<String, String> plain = Map.of(
                "key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                "ssl.keystore.location", "/etc/tally/keystore.p12",
                "ssl.keymanager.algorithm", "PKIX",
                "sasl.oauthbearer.client.credentials.client.id", "tally",
                "security.protocol", "SASL_SSL",
                "client.id", "tally-reader");
        KafkaSpoutSettings settings = KafkaSpoutSettings.builder("127.0.0.1:9092", List.of("events"))
                .consumerProperties(secrets).consumerProperties(plain).build();

        Map<String, String> masked = settings.maskedConsumerProperties();

        secrets.keySet().forEach(key -> assertThat(masked).as(key).containsEntry(key, "****"));
        plain.forEach((key, value) -> assertThat(masked).as(key).containsEntry(key, value));
        assertThat(settings.toString()).doesNotContain(SECRET);
    }
}
