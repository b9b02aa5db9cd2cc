package io.tally.topology.keyed;

import java.util.List;
import org.apache.storm.generated.GlobalStreamId;
import org.apache.storm.grouping.CustomStreamGrouping;
import org.apache.storm.task.WorkerTopologyContext;

/**
 * Sends a tuple to the task of the partition its {@link PartitionTarget} names. Task {@code i} of a Trident state is
 * its partition {@code i}, and Storm lists a component's tasks in that order.
 */
public final class ToPartition implements CustomStreamGrouping {
    private static final long serialVersionUID = 1L;

    private final int partitions;
    private transient List<List<Integer>> tasks;

    /** @param partitions the keyed stage's parallelism, which its routing was computed for */
    public ToPartition(int partitions) {
        this.partitions = partitions;
    }

    @Override
    public void prepare(WorkerTopologyContext context, GlobalStreamId stream, List<Integer> targetTasks) {
        if (targetTasks.size() != partitions) {
            throw new IllegalStateException("the keyed stage fed by " + stream.get_componentId() + " has "
                    + targetTasks.size() + " tasks, but its events were routed for " + partitions
                    + " (batch.parallelism): give the stage as many tasks as partitions");
        }
        List<Integer> sorted = targetTasks.stream().sorted().toList();
        tasks = sorted.stream().map(List::of).toList();
    }

    @Override
    public List<Integer> chooseTasks(int taskId, List<Object> values) {
        // Trident puts its own batch id before the stream's values.
        for (Object value : values) {
            if (value instanceof PartitionTarget target) {
                return tasks.get(target.partition());
            }
        }
        throw new IllegalArgumentException("a tuple for a keyed stage carries no partition target: " + values);
    }
}
