package io.tally.topology.status;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.storm.Config;
import org.apache.storm.cluster.DaemonType;
import org.apache.storm.shade.org.apache.curator.framework.CuratorFramework;
import org.apache.storm.shade.org.apache.zookeeper.KeeperException;
import org.apache.storm.shade.org.apache.zookeeper.data.Stat;
import org.apache.storm.utils.CuratorUtils;
import org.apache.storm.utils.ZookeeperAuthInfo;

/**
 * Reads, without changing anything, what Trident keeps of a topology's progress in ZooKeeper: per spout stream the
 * next transaction to commit (the batch coordinator's {@code currtx}, written after every commit) and each
 * partition's batch metadata, one node per transaction id not yet cleaned up ({@code user/<partition>/<txid>}).
 * The paths and the JSON are Trident's own ({@code TransactionalState}, {@code RotatingTransactionalState}).
 */
public final class TridentZooKeeper implements AutoCloseable {
    private static final String NEXT_TXID_TO_COMMIT = "currtx";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CuratorFramework curator;

    /**
     * @param stormConf where Trident keeps its state: {@code transactional.zookeeper.servers} and {@code .port},
     *     else {@code storm.zookeeper.servers} and {@code .port}, as the topology's workers read them
     * @param root the topology's transactional root ({@code TallyTopology.transactionalRoot})
     */
    @SuppressWarnings("unchecked")
    public TridentZooKeeper(Map<String, Object> stormConf, String root) {
        Object servers = either(stormConf, Config.TRANSACTIONAL_ZOOKEEPER_SERVERS, Config.STORM_ZOOKEEPER_SERVERS);
        Object port = either(stormConf, Config.TRANSACTIONAL_ZOOKEEPER_PORT, Config.STORM_ZOOKEEPER_PORT);
        if (servers == null || port == null) {
            throw new IllegalArgumentException("no ZooKeeper in the Storm configuration: set storm.zookeeper.servers"
                    + " and storm.zookeeper.port (or transactional.zookeeper.*), or pass --zookeeper");
        }
        this.curator = CuratorUtils.newCuratorStarted(stormConf, (List<String>) servers, port, root,
                new ZookeeperAuthInfo(stormConf), DaemonType.WORKER.getDefaultZkAcls(stormConf));
    }

    /** Storm's defaults.yaml holds the transactional keys with null values: unset means null, as Trident reads it. */
    private static Object either(Map<String, Object> conf, String key, String fallback) {
        Object value = conf.get(key);
        return value != null ? value : conf.get(fallback);
    }

    /** A committed batch: its transaction id and when the coordinator recorded the commit. */
    public record Commit(long txid, Instant at) {
    }

    /** The last batch of {@code streamId} that committed; empty before the first commit. */
    public Optional<Commit> lastCommit(String streamId) {
        String path = "/" + streamId + "/coordinator/" + NEXT_TXID_TO_COMMIT;
        Stat stat = new Stat();
        byte[] data = read(path, stat);
        if (data == null) {
            return Optional.empty();
        }
        long next = ((Number) parse(data, new TypeReference<Object>() { })).longValue();
        return next <= 1 ? Optional.empty() : Optional.of(new Commit(next - 1, Instant.ofEpochMilli(stat.getMtime())));
    }

    /**
     * Each partition's metadata as of the last committed batch (the newest stored batch at or below it), by
     * Trident's partition id; a partition with no committed batch is absent.
     */
    public Map<String, Map<String, Object>> committedPartitions(String streamId, long lastCommittedTxid) {
        Map<String, Map<String, Object>> committed = new TreeMap<>();
        String user = "/" + streamId + "/user";
        for (String partition : children(user)) {
            long best = -1;
            for (String txid : children(user + "/" + partition)) {
                try {
                    long id = Long.parseLong(txid);
                    if (id <= lastCommittedTxid && id > best) {
                        best = id;
                    }
                } catch (NumberFormatException notABatch) {
                    // Not a batch node.
                }
            }
            if (best >= 0) {
                byte[] data = read(user + "/" + partition + "/" + best, null);
                if (data != null) {
                    committed.put(partition, parse(data, new TypeReference<Map<String, Object>>() { }));
                }
            }
        }
        return committed;
    }

    private List<String> children(String path) {
        try {
            return curator.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException none) {
            return List.of();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read ZooKeeper node " + path + ": " + e.getMessage(), e);
        }
    }

    private byte[] read(String path, Stat stat) {
        try {
            return stat == null ? curator.getData().forPath(path) : curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException none) {
            return null;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read ZooKeeper node " + path + ": " + e.getMessage(), e);
        }
    }

    private static <T> T parse(byte[] data, TypeReference<T> type) {
        try {
            return JSON.readValue(new String(data, StandardCharsets.UTF_8), type);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable Trident state in ZooKeeper", e);
        }
    }

    @Override
    public void close() {
        curator.close();
    }
}
