package io.tally.cli;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.SchemaApplier;
import io.tally.topology.config.TallyConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tally schema apply|check}: creates, or verifies, the keyspace and tables of deploy/schema.cql. */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Apply or check the Cassandra schema (deploy/schema.cql) in the configured keyspace.")
final class SchemaCommand implements Callable<Integer> {

    enum Action { apply, check }

    @Parameters(index = "0", paramLabel = "apply|check",
            description = "apply: create the keyspace (with cassandra.replication) and tables if missing;"
                    + " check: report what is missing.")
    Action action;

    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TallyConfig tally = config.load();
        String keyspace = tally.cassandra().keyspace();
        SchemaApplier schema = SchemaApplier.bundled();
        try (CqlSession session = SessionRegistry.builder(tally.cassandra()).build()) {
            if (action == Action.apply) {
                schema.apply(session, keyspace, tally.replication());
                System.out.println("Schema applied to keyspace " + keyspace + ": " + schema.tableNames());
                return 0;
            }
            List<String> problems = schema.check(session, keyspace);
            if (problems.isEmpty()) {
                System.out.println("Schema complete in keyspace " + keyspace + ": " + schema.tableNames());
                return 0;
            }
            problems.forEach(p -> System.err.println("Missing: " + p));
            return TallyCommand.EXIT_UNAVAILABLE;
        } catch (AllNodesFailedException e) {
            return CassandraUnreachable.report(spec, tally.cassandra(), e);
        }
    }
}
