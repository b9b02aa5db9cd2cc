package io.tally.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.Config;
import org.apache.storm.utils.Utils;
import picocli.CommandLine.Option;

/** The {@code --zookeeper} option of the commands that read Trident's state (status, and the dashboard's panel). */
final class ZooKeeperOption {
    @Option(names = "--zookeeper", paramLabel = "HOST[:PORT][,HOST…]",
            description = "Where Trident keeps its state (default: transactional.zookeeper.* of the Storm"
                    + " configuration, else storm.zookeeper.*; `storm jar` reads storm.yaml).")
    String servers;

    /** Storm's configuration, with Trident's ZooKeeper from {@code --zookeeper} when given. */
    Map<String, Object> stormConf() {
        Map<String, Object> conf = new HashMap<>(Utils.readStormConfig());
        if (servers != null) {
            List<String> hosts = new ArrayList<>();
            int port = 2181;
            for (String server : servers.split(",")) {
                String[] hostPort = server.trim().split(":");
                hosts.add(hostPort[0]);
                if (hostPort.length > 1) {
                    port = Integer.parseInt(hostPort[1]);
                }
            }
            conf.put(Config.TRANSACTIONAL_ZOOKEEPER_SERVERS, hosts);
            conf.put(Config.TRANSACTIONAL_ZOOKEEPER_PORT, port);
        }
        return conf;
    }
}
