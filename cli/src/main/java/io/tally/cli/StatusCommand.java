package io.tally.cli;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.status.StatusFormat;
import io.tally.topology.status.StatusReader;
import io.tally.topology.status.TallyStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tally status}: where a running deployment stands, read from Kafka, Trident's ZooKeeper state and Cassandra. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Where a running Tally stands: Kafka lag per topic (the offsets of Trident's last committed"
                + " batch, in ZooKeeper, against the topics' end offsets), the last committed batch and its age, events"
                + " counted, records rejected by reason, log files not yet read to their end. Exit code 0; 3 when"
                + " Kafka, ZooKeeper or Cassandra cannot be read.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Mixin
    ZooKeeperOption zookeeper;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TallyConfig tally = config.load();
        PrintWriter out = spec.commandLine().getOut();
        try (CqlSession session = SessionRegistry.builder(tally.cassandra()).build();
                StatusReader reader = new StatusReader(tally, zookeeper.stormConf(), session)) {
            TallyStatus status = reader.read();
            out.println(json ? StatusFormat.json(status) : StatusFormat.text(status));
            out.flush();
            return 0;
        } catch (AllNodesFailedException e) {
            return CassandraUnreachable.report(spec, tally.cassandra(), e);
        } catch (IllegalStateException | IllegalArgumentException e) {
            spec.commandLine().getErr().println(e.getMessage());
        }
        return TallyCommand.EXIT_UNAVAILABLE;
    }
}
