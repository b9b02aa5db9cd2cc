package io.tally.it.support;

import io.tally.local.LocalStack;
import io.tally.local.LocalStackConfig;
import io.tally.state.cassandra.SessionRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving every test class in the JVM the same real services: started once by the first
 * class that needs them, stopped (by PID, through the launchers) when the whole test run ends, whether
 * tests passed or failed. Servers run on free ports with data under {@code target/}, so a developer's own
 * local stack on the default ports is left alone.
 */
public final class RealServices implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealServices.class);
    private static volatile LocalStackContainer container;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("local-stack", key -> {
            Path dataDir = TestDirectories.create("stack-");
            LocalStackContainer started = new LocalStackContainer(LocalStackConfig.builder()
                    .dataDir(dataDir)
                    .ephemeralPorts()
                    // The suite runs every test's keyspace (about ten tables each) on one server in turn; at the
                    // local runner's 1 GiB Cassandra left the suite with no node part-way through.
                    .heaps("1g", "2g")
                    .build());
            started.start();
            container = started;
            return (ExtensionContext.Store.CloseableResource) () -> {
                container = null;
                try {
                    TestKeyspaces.closeSession();
                    SessionRegistry.closeAll();
                } finally {
                    started.stop();
                    TestDirectories.delete(dataDir);
                }
            };
        }, ExtensionContext.Store.CloseableResource.class);
    }

    /** The running stack; only valid inside a class extended with {@code @ExtendWith(RealServices.class)}. */
    public static LocalStack stack() {
        LocalStackContainer current = container;
        if (current == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(RealServices.class)");
        }
        return current.stack();
    }
}
