package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.tally.it.support.DocumentedPages;
import io.tally.it.support.RealServices;
import io.tally.it.support.TallyCli;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell command of a fenced {@code sh} block in README.md, docs/ and deploy/ is run here, or listed in
 * {@link #NOT_RUN} with the reason it is not; a command added to a page fails this test until it is one or the
 * other. One test per command line, named by page and line.
 *
 * <ul>
 *   <li>{@code tally …} runs in this JVM through the cli's picocli entry, which is what the pages'
 *       {@code alias tally=…} names (the alias itself is run once, as {@code tally --version});</li>
 *   <li>{@code java -cp cli/target/… io.tally.cli.TallyCommand …} runs as written, in a shell from the repository's
 *       root, on the jar the package phase built;</li>
 *   <li>{@code deploy/submit.sh … --dry-run} runs as written, in a shell, with a {@code storm} on the PATH that does
 *       what {@code storm jar JAR CLASS ARGS} does for a dry run: run CLASS with JAR and Storm's classes.</li>
 * </ul>
 * The pages' {@code tally.yaml} and {@code backfill.yaml} become files of this test's pointing at the real Kafka and at
 * one keyspace with deploy/schema.cql applied and a few rows on the days the pages' examples ask about; a command
 * without {@code --config} gets this test's, as it would otherwise read the embedded {@code 127.0.0.1:9042}.
 */
@ExtendWith(RealServices.class)
class DocumentedCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern FENCED = Pattern.compile("^```sh[^\\n]*\\n(.*?)^```",
            Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern ALIAS = Pattern.compile("^alias tally='(.*)'$");
    private static final String TALLY_MAIN = "io.tally.cli.TallyCommand";
    private static final String TOPIC = "docs_commands";

    /** Commands the pages hold that this test does not run, each with why; matched by page and start of the line. */
    private static final String BENCHMARK = "a benchmark takes minutes and is run by hand, measured on its page";
    private static final String SUBMITS = "submits to a Storm cluster; the dry run of the line above is run here,"
            + " StormClusterTest submits the jar";
    private static final String RUNNER = " -cp benchmarks/target/tally-benchmarks.jar io.tally.bench.";
    /** Where the benchmarks were before their own module: performance.md's dated entries keep the commands as run. */
    private static final String FORMER_RUNNER = " -cp local-cluster/target/tally-local-runner.jar io.tally.local.bench.";

    /** Commands the pages hold that this test does not run, each with why; matched by page and start of the line. */
    private static final List<NotRun> NOT_RUN = List.of(
            new NotRun("README.md",
                    "mvn -B -q -DskipTests package && java -jar local-cluster/target/tally-local-runner.jar",
                    "builds everything, then the local cluster runs until stopped; LocalRunnerTest runs that runner"
                            + " in-process"),
            new NotRun("README.md", "mvn -B -ntp verify",
                    "the README's test command is what CI runs, this test among its tests"),
            new NotRun("docs/collector.md", "mvn -B -q -DskipTests package",
                    "builds the jar of the benchmark below; this test runs inside that build"),
            new NotRun("docs/collector.md", "java" + RUNNER + "CollectorBenchmark", BENCHMARK),
            new NotRun("docs/performance.md", "mvn -B -q -DskipTests package",
                    "builds the jar of the benchmarks below; this test runs inside that build"),
            new NotRun("docs/performance.md",
                    "java -Xms12g -Xmx12g -XX:+AlwaysPreTouch -XX:MaxGCPauseMillis=1000" + RUNNER, BENCHMARK),
            new NotRun("docs/performance.md", "java -Xmx3g" + FORMER_RUNNER, BENCHMARK),
            new NotRun("docs/performance.md", "java" + FORMER_RUNNER, BENCHMARK),
            new NotRun("docs/deploying.md", "deploy/submit.sh tally.yaml =", SUBMITS),
            new NotRun("deploy/OPERATIONS.md",
                    "deploy/submit.sh backfill.yaml --name tally-segment-power-users --segments-only =", SUBMITS));

    @TempDir
    static Path files;
    private static String keyspace;
    private static Map<String, Path> configs;

    @BeforeAll
    static void servicesAndRows() throws IOException {
        keyspace = TestKeyspaces.create("docs_commands");
        TestTopologies.createTopic(TOPIC, 1);
        configs = new LinkedHashMap<>();
        configs.put("tally.yaml", config("tally.yaml", "tally", "[{name: buyers, rule: {event: Order Completed}}]"));
        configs.put("backfill.yaml", config("backfill.yaml", "tally",
                "[{name: power_users, rule: {at_least: 10, per: day, where: {event: Order Completed}}}]"));
        for (String row : rows()) {
            TestKeyspaces.session().execute(row.replaceFirst("^INSERT INTO ", "INSERT INTO " + keyspace + "."));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedCommandRunsOrIsListedWithItsReason() throws IOException {
        return commands().stream().map(command -> dynamicTest(command.name(), () -> run(command)));
    }

    /** A listed command the pages no longer hold would keep an exemption nothing needs. */
    @Test
    void everyCommandNotRunIsStillOnItsPage() throws IOException {
        List<Command> commands = commands();
        for (NotRun notRun : NOT_RUN) {
            assertThat(commands.stream().anyMatch(notRun::covers))
                    .as("NOT_RUN lists '%s' of %s, which the page no longer holds", notRun.command(), notRun.page())
                    .isTrue();
        }
    }

    /** Guards the extraction: were the pages' commands no longer found, the factory above would pass with none. */
    @Test
    void theCommandsAreFoundWhereThePagesHoldThem() throws IOException {
        Map<String, Integer> perPage = new LinkedHashMap<>();
        commands().forEach(command -> perPage.merge(command.page(), 1, Integer::sum));
        assertThat(perPage.getOrDefault("docs/tables-and-queries.md", 0)).isGreaterThanOrEqualTo(7);
        assertThat(perPage.getOrDefault("docs/journeys.md", 0)).isGreaterThanOrEqualTo(8);
        assertThat(perPage.getOrDefault("docs/deploying.md", 0)).isGreaterThanOrEqualTo(3);
        assertThat(perPage.getOrDefault("deploy/OPERATIONS.md", 0)).isGreaterThanOrEqualTo(2);
    }

    private static void run(Command command) throws Exception {
        String line = command.line();
        NotRun notRun = NOT_RUN.stream().filter(listed -> listed.covers(command)).findFirst().orElse(null);
        if (notRun != null) {
            return;
        }
        Matcher alias = ALIAS.matcher(line);
        if (alias.matches()) {
            assertThat(alias.group(1)).as("the alias runs the cli's entry point").endsWith(" " + TALLY_MAIN);
            expectSuccess(command, shell(alias.group(1) + " --version", Map.of()));
        } else if (line.startsWith("tally ")) {
            List<String> args = arguments(command, words(line.substring("tally ".length())));
            if (!args.contains("-c") && !args.contains("--config")) {
                args.addAll(List.of("--config", configs.get("tally.yaml").toString()));
            }
            TallyCli.Run run = TallyCli.run(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("%s exited with %d:%n%s", command.where(), run.exitCode(), run.text())
                    .isZero();
            assertThat(run.err()).as("%s printed on stderr", command.where()).isBlank();
            assertThat(run.out()).as("%s answered nothing", command.where()).isNotBlank();
        } else if (line.startsWith("java -cp cli/target/")) {
            expectSuccess(command, shell(asWritten(command, line), Map.of()));
        } else if (line.startsWith("deploy/submit.sh ") && words(line).contains("--dry-run")) {
            Ran ran = shell(asWritten(command, line), Map.of("PATH", stormOnPath()));
            expectSuccess(command, ran);
            assertThat(ran.output()).as("%s did not reach Kafka and Cassandra", command.where())
                    .contains("Kafka and Cassandra answered");
        } else {
            fail("%s: `%s` is neither run by DocumentedCommandsTest nor in its NOT_RUN with the reason it is not:"
                    + " run it there, or list it", command.where(), line);
        }
    }

    /** The line for bash, with this test's configuration files for the page's. */
    private static String asWritten(Command command, String line) {
        return String.join(" ", arguments(command, words(line)).stream().map(DocumentedCommandsTest::quoted).toList());
    }

    /** The line's words with the pages' configuration files replaced by this test's. */
    private static List<String> arguments(Command command, List<String> words) {
        List<String> args = new ArrayList<>();
        for (String word : words) {
            if (word.endsWith(".yaml")) {
                Path config = configs.get(word);
                assertThat(config).as("%s names %s, a configuration this test has no stand-in for", command.where(),
                        word).isNotNull();
                args.add(config.toString());
            } else {
                args.add(word);
            }
        }
        return args;
    }

    private record Ran(int exitCode, String output) {
    }

    private static void expectSuccess(Command command, Ran ran) {
        assertThat(ran.exitCode()).as("%s exited with %d:%n%s", command.where(), ran.exitCode(), ran.output())
                .isZero();
    }

    /** Runs {@code line} in bash from the repository's root, as an operator following the page would. */
    private static Ran shell(String line, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", line).directory(ROOT.toFile())
                .redirectErrorStream(true);
        String java = Path.of(System.getProperty("java.home"), "bin").toString();
        builder.environment().put("PATH", java + File.pathSeparator + System.getenv("PATH"));
        environment.forEach((name, value) -> builder.environment().merge(name, value,
                (old, added) -> added + File.pathSeparator + old));
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Ran(-1, "still running after 120 s: " + new String(output, StandardCharsets.UTF_8));
        }
        return new Ran(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    /**
     * A folder holding a {@code storm} that does what {@code storm jar JAR CLASS ARGS} does before it submits: runs
     * CLASS with JAR ahead of Storm's classes, which are on this JVM's class path. Only dry runs reach it; the Storm
     * client is not installed where the tests run.
     */
    private static String stormOnPath() throws IOException {
        Path folder = files.resolve("storm-client");
        Path storm = folder.resolve("storm");
        if (!Files.exists(storm)) {
            Files.createDirectories(folder);
            Files.writeString(storm, String.join("\n",
                    "#!/usr/bin/env bash",
                    "set -euo pipefail",
                    "[ \"$1\" = jar ] || { echo \"only 'storm jar' is available here, not '$1'\" >&2; exit 64; }",
                    "jar=$2; shift 2",
                    "exec java -cp \"$jar:" + System.getProperty("java.class.path") + "\" \"$@\"",
                    ""));
            Files.setPosixFilePermissions(storm, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return folder.toString();
    }

    /** Quotes a word for bash, leaving a glob (the jar's version) for bash to expand as on the page. */
    private static String quoted(String word) {
        if (word.matches("[A-Za-z0-9_./*:=+-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * The words of a command line as bash splits them: single and double quotes group, a {@code #} starting a word
     * begins a comment. A {@code $(…)} stays one word with its quotes, for the shell that runs it.
     */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        int depth = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (depth > 0 || c == '$' && i + 1 < line.length() && line.charAt(i + 1) == '(') {
                word = word == null ? new StringBuilder() : word;
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                word.append(c);
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                break;
            } else if (c == '\'' || c == '"') {
                int end = line.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unbalanced " + c + " in: " + line);
                }
                word = word == null ? new StringBuilder() : word;
                word.append(line, i + 1, end);
                i = end;
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    private static Path config(String name, String topology, String segments) throws IOException {
        InetSocketAddress cassandra = RealServices.stack().cassandra().contactPoint();
        Path file = files.resolve(name);
        Files.writeString(file, String.join("\n",
                "topology:",
                "  name: " + topology,
                "kafka:",
                "  bootstrap_servers: " + RealServices.stack().kafka().bootstrapServers(),
                "  topics: [" + TOPIC + "]",
                "cassandra:",
                "  contact_points: [\"" + cassandra.getHostString() + ":" + cassandra.getPort() + "\"]",
                "  local_datacenter: " + RealServices.stack().cassandra().localDatacenter(),
                "  keyspace: " + keyspace,
                "segments: " + segments,
                "funnels:",
                "  - name: checkout",
                "    steps: [{event: Product Viewed}, {event: Product Added}, {event: Order Completed}]",
                "retention:",
                "  - {name: signups, start: {event: Signed Up}, return: {event: Signed In}}",
                "sessions: {property: context.device.type, values: [ios, android, web]}",
                ""));
        return file;
    }

    /** Rows on the days the pages' examples ask about, so each query has an answer to print. */
    private static List<String> rows() {
        List<String> rows = new ArrayList<>();
        rows.add("INSERT INTO event_counts_by_hour (event, day, hour, count) VALUES"
                + " ('Order Completed', '2026-11-17', '2026-11-17 10:00:00+0000', 3)");
        for (String event : List.of("*", "Order Completed")) {
            rows.add("INSERT INTO unique_users_by_day (event, month, day, users) VALUES"
                    + " ('" + event.replace("'", "''") + "', '2026-11', '2026-11-17', 2)");
        }
        rows.add("INSERT INTO property_counts_by_day (event, property, month, day, value, count) VALUES"
                + " ('Order Completed', 'currency', '2026-11', '2026-11-17', 'EUR', 3)");
        for (int step = 1; step <= 3; step++) {
            rows.add("INSERT INTO funnel_steps_by_day (funnel, month, day, step, users) VALUES"
                    + " ('checkout', '2026-11', '2026-11-20', " + step + ", " + (4 - step) + ")");
        }
        for (String kind : List.of("day", "week", "day_or_later", "week_or_later")) {
            for (int period = kind.contains("_") ? 1 : 0; period <= 1; period++) {
                rows.add("INSERT INTO retention_by_day (retention, month, cohort, kind, period, users) VALUES"
                        + " ('signups', '2026-11', '2026-11-02', '" + kind + "', " + period + ", " + (2 - period)
                        + ")");
            }
        }
        for (String value : List.of("ios", "android")) {
            for (String day : List.of("2026-11-17", "2026-11-20")) {
                String key = "'" + value + "', '2026-11', '" + day + "'";
                rows.add(session(key, "sessions", 0, 2));
                rows.add(session(key, "total_ms", 0, 90_000));
                rows.add(session(key, "total_events", 0, 5));
                rows.add(session(key, "length_s", 30, 2));
                rows.add(session(key, "events", 2, 1));
                rows.add(session(key, "events", 3, 1));
            }
        }
        rows.add("INSERT INTO segment_members (segment, bucket, user_id, qualified_on, last_activity, events) VALUES"
                + " ('buyers', 0, 'user-42', '2026-11-20', '2026-11-20 09:30:00+0000', 1)");
        rows.add("INSERT INTO user_segments (user_id, segment, qualified_on, last_activity, events) VALUES"
                + " ('user-42', 'buyers', '2026-11-20', '2026-11-20 09:30:00+0000', 1)");
        rows.add("INSERT INTO segment_sizes_by_day (segment, month, day, entered) VALUES"
                + " ('buyers', '2026-11', '2026-11-20', 1)");
        return rows;
    }

    private static String session(String key, String kind, int bucket, long amount) {
        return "INSERT INTO sessions_by_day (property_value, month, day, kind, bucket, amount) VALUES (" + key + ", '"
                + kind + "', " + bucket + ", " + amount + ")";
    }

    /** One command line of a page: {@code line} is its text without a trailing comment. */
    private record Command(String page, int number, String line) {
        String where() {
            return page + ":" + number;
        }

        String name() {
            return where() + ": " + (line.length() > 100 ? line.substring(0, 100) + "…" : line);
        }
    }

    /**
     * A command not run here: {@code command} is the start of the lines it covers, or with a trailing {@code " ="}
     * the whole line (so that {@code submit.sh tally.yaml} does not also cover {@code submit.sh tally.yaml --dry-run}).
     */
    private record NotRun(String page, String command, String reason) {
        boolean covers(Command candidate) {
            if (!candidate.page().equals(page)) {
                return false;
            }
            return command.endsWith(" =") ? candidate.line().equals(command.substring(0, command.length() - 2))
                    : candidate.line().startsWith(command);
        }
    }

    private static List<Command> commands() throws IOException {
        List<Command> commands = new ArrayList<>();
        for (String page : DocumentedPages.under(ROOT)) {
            String text = Files.readString(ROOT.resolve(page));
            Matcher fenced = FENCED.matcher(text);
            while (fenced.find()) {
                int number = (int) text.substring(0, fenced.start(1)).chars().filter(c -> c == '\n').count() + 1;
                StringBuilder continued = new StringBuilder();
                int first = number;
                for (String raw : fenced.group(1).split("\n", -1)) {
                    String line = withoutComment(raw).strip();
                    if (continued.isEmpty()) {
                        first = number;
                    }
                    number++;
                    if (line.endsWith("\\")) {
                        continued.append(line, 0, line.length() - 1).append(' ');
                        continue;
                    }
                    continued.append(line);
                    String command = continued.toString().strip().replaceAll("\\s+", " ");
                    continued.setLength(0);
                    if (!command.isEmpty()) {
                        commands.add(new Command(page, first, command));
                    }
                }
            }
        }
        return commands;
    }

    /** The line up to a {@code #} that starts a word outside quotes: bash's comment. */
    private static String withoutComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

}
