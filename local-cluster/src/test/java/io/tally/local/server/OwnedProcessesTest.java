package io.tally.local.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every process Tally starts dies with the JVM that started it, however that JVM dies: here its owner is killed
 * with SIGKILL (no shutdown hook runs), and the server it started and the process that server started in turn
 * (as Storm's supervisor starts workers) both exit.
 */
class OwnedProcessesTest {

    @Test
    void aServersOwnChildrenDieWhenItsOwnerIsKilled(@TempDir Path dir) throws Exception {
        Path pids = dir.resolve("pids");
        Process owner = new ProcessBuilder(javaCommand(Owner.class, dir.toString(), pids.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("owner.log").toFile()).start();
        List<ProcessHandle> owned = new ArrayList<>();
        try {
            List<Long> ids = awaitPids(pids, Duration.ofSeconds(60));
            ids.forEach(pid -> ProcessHandle.of(pid).ifPresent(owned::add));
            assertThat(owned).as("the server and its child, running").hasSize(2).allMatch(ProcessHandle::isAlive);

            owner.destroyForcibly();
            owner.waitFor(10, TimeUnit.SECONDS);

            for (ProcessHandle process : owned) {
                Optional<ProcessHandle> exited = Optional.ofNullable(
                        process.onExit().completeOnTimeout(null, 15, TimeUnit.SECONDS).join());
                assertThat(exited).as("process %d (%s) exited after its owner was killed", process.pid(),
                        process.info().command().orElse("?")).isPresent();
            }
        } finally {
            owner.destroyForcibly();
            owned.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static List<Long> awaitPids(Path file, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (lines.size() == 2) {
                    return lines.stream().map(Long::parseLong).toList();
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the owner did not report the pids of its server and the server's child in " + file);
    }

    private static List<String> javaCommand(Class<?> main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** The owner: starts a server JVM the way the launchers do, and waits to be killed. */
    public static final class Owner {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            ChildJvm.start(new ChildJvm.Spec("test server", ChildJvm.SAME_CLASSPATH, List.of("-Xmx64m"),
                    Server.class.getName(), List.of(args[1]), dir.resolve("server"), dir.resolve("server.log")));
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** The server: starts a child of its own, as the Storm supervisor starts workers, and reports both pids. */
    public static final class Server {
        public static void main(String[] args) throws Exception {
            Process child = new ProcessBuilder("sleep", "600").start();
            Path tmp = Path.of(args[0] + ".tmp");
            Files.write(tmp, List.of(String.valueOf(ProcessHandle.current().pid()), String.valueOf(child.pid())));
            Files.move(tmp, Path.of(args[0]));
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
