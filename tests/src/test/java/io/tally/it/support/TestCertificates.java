package io.tally.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Key and trust stores for the TLS tests, made by the JDK's own keytool. */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** A PKCS12 key store {@code <name>.p12} in {@code dir} with one self-signed RSA key pair under alias {@code name}. */
    public static Path keyPair(Path dir, String name, String subject, String alternativeNames, String password)
            throws Exception {
        Path keystore = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname",
                subject, "-ext", alternativeNames, "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", password, "-keypass", password);
        return keystore;
    }

    /** Adds the certificate of {@code keystore}'s alias {@code alias} to the PKCS12 trust store {@code truststore}. */
    public static void trust(Path keystore, String keyPassword, String alias, Path truststore, String trustPassword)
            throws Exception {
        Path certificate = keystore.resolveSibling(alias + ".pem");
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", keystore.toString(), "-storepass", keyPassword,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", trustPassword);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool " + args[0] + ": " + output).isZero();
    }
}
