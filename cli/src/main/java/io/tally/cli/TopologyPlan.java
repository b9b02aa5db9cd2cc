package io.tally.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.storm.generated.ComponentCommon;
import org.apache.storm.generated.StormTopology;

/** A readable list of a built topology's components and their parallelism. */
final class TopologyPlan {
    private TopologyPlan() {
    }

    static List<String> describe(StormTopology topology) {
        Map<String, String> lines = new TreeMap<>();
        topology.get_spouts().forEach((id, spout) -> lines.put(id, "spout " + id + line(spout.get_common())));
        topology.get_bolts().forEach((id, bolt) -> lines.put(id, "bolt  " + id + line(bolt.get_common())));
        return new ArrayList<>(lines.values());
    }

    private static String line(ComponentCommon common) {
        return " x" + (common.is_set_parallelism_hint() ? common.get_parallelism_hint() : 1)
                + " inputs=" + common.get_inputs().keySet().stream().map(g -> g.get_componentId()).distinct().toList();
    }
}
