package io.tally.local.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker (kafka_2.13 from Maven Central) in its own JVM, in KRaft combined mode. Its storage is
 * formatted once; a restart on the same data directory keeps every topic and record.
 */
public final class KafkaServer extends ServerProcess {
    private static final String CLASSPATH = "/META-INF/tally/kafka-server.classpath";

    /** The configuration with the ports actually used, so the broker can be started again where it was. */
    private final KafkaServerConfig effective;

    private KafkaServer(ChildJvm jvm, KafkaServerConfig effective) {
        super(jvm, Duration.ofSeconds(30));
        this.effective = effective;
    }

    public static KafkaServer start(KafkaServerConfig config) {
        int port = Ports.claim(config.port(), "Kafka", "the Kafka port option (--kafka-port)");
        int controllerPort = Ports.claim(config.controllerPort(), "Kafka", "the Kafka controller port option");
        KafkaServerConfig.SaslSsl saslSsl = config.saslSsl() == null ? null
                : config.saslSsl().onPort(Ports.claim(config.saslSsl().port(), "Kafka", "the SASL_SSL port"));
        Path dir = config.dataDir().toAbsolutePath();
        Path logDirs = dir.resolve("data");
        Path properties = dir.resolve("server.properties");
        Path log4j = dir.resolve("log4j2.properties");
        Path logFile = dir.getParent().resolve("logs").resolve("kafka.log");
        ServerFiles.write(properties, serverProperties(port, controllerPort, logDirs, saslSsl));
        ServerFiles.write(log4j, LOG4J_CONFIG);
        List<String> jvmOptions = List.of("-Xms" + config.heap(), "-Xmx" + config.heap(),
                "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4j.toUri());

        if (!Files.exists(logDirs.resolve("meta.properties"))) {
            ChildJvm.runToCompletion(new ChildJvm.Spec("Kafka storage format", CLASSPATH, jvmOptions,
                    "kafka.tools.StorageTool",
                    List.of("format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()),
                    dir, logFile), config.startTimeout());
        }
        ChildJvm jvm = ChildJvm.start(new ChildJvm.Spec("Kafka", CLASSPATH, jvmOptions, "kafka.Kafka",
                List.of(properties.toString()), dir, logFile));
        String bootstrap = Ports.HOST + ":" + port;
        jvm.awaitReady(() -> Ports.accepting(port) && answers(bootstrap), config.startTimeout());
        if (saslSsl != null) {
            addScramUser(bootstrap, saslSsl);
        }
        return new KafkaServer(jvm, new KafkaServerConfig(config.dataDir(), port, controllerPort, config.heap(),
                config.startTimeout(), saslSsl));
    }

    /** Starts a stopped (or killed) broker again on the same data and ports; topics and records are kept. */
    public KafkaServer startAgain() {
        requireExited();
        return start(effective);
    }

    public String bootstrapServers() {
        return Ports.HOST + ":" + effective.port();
    }

    public int port() {
        return effective.port();
    }

    /** {@code 127.0.0.1:port} of the SASL_SSL listener; only when one was configured. */
    public String saslSslBootstrapServers() {
        if (effective.saslSsl() == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener");
        }
        return Ports.HOST + ":" + effective.saslSsl().port();
    }

    private static boolean answers(String bootstrap) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** Creates (or replaces) the SASL_SSL listener's SCRAM-SHA-512 user through the plain-text listener. */
    private static void addScramUser(String bootstrap, KafkaServerConfig.SaslSsl saslSsl) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(saslSsl.user(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), saslSsl.password())))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the SCRAM user " + saslSsl.user() + ": " + e, e);
        }
    }

    private static String serverProperties(int port, int controllerPort, Path logDirs, KafkaServerConfig.SaslSsl sasl) {
        String saslListener = sasl == null ? "" : ",SASL_SSL://" + Ports.HOST + ":" + sasl.port();
        String saslSettings = sasl == null ? "" : String.join("\n",
                "sasl.enabled.mechanisms=SCRAM-SHA-512",
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "listener.name.sasl_ssl.ssl.keystore.type=PKCS12",
                "listener.name.sasl_ssl.ssl.keystore.location=" + sasl.keystore().toAbsolutePath(),
                "listener.name.sasl_ssl.ssl.keystore.password=" + sasl.keystorePassword(),
                "listener.name.sasl_ssl.ssl.key.password=" + sasl.keystorePassword(),
                "");
        return saslSettings + String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + Ports.HOST + ":" + controllerPort,
                "listeners=PLAINTEXT://" + Ports.HOST + ":" + port + ",CONTROLLER://" + Ports.HOST + ":" + controllerPort
                        + saslListener,
                "advertised.listeners=PLAINTEXT://" + Ports.HOST + ":" + port + saslListener,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
                "log.dirs=" + logDirs,
                "num.partitions=1",
                // One broker: every internal topic has one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // Topics are created deliberately, with their partition counts.
                "auto.create.topics.enable=false",
                "") ;
    }

    private static final String LOG4J_CONFIG = String.join("\n",
            "appender.out.type=Console",
            "appender.out.name=out",
            "appender.out.layout.type=PatternLayout",
            "appender.out.layout.pattern=%d{ISO8601} %-5p [%c{1}] %m%n",
            "rootLogger.level=INFO",
            "rootLogger.appenderRef.out.ref=out",
            "logger.kafka.name=kafka",
            "logger.kafka.level=INFO",
            "logger.state.name=state.change.logger",
            "logger.state.level=WARN",
            "logger.request.name=kafka.request.logger",
            "logger.request.level=WARN",
            "logger.logcleaner.name=kafka.log.LogCleaner",
            "logger.logcleaner.level=WARN",
            "");
}
