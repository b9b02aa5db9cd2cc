package io.tally.spouts;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.storm.trident.spout.IPartitionedTridentSpout;
import org.apache.storm.trident.spout.ISpoutPartition;
import org.apache.storm.tuple.Fields;

/**
 * A partitioned Trident spout whose coordinator names the partitions of each batch as strings and whose batch
 * metadata is a map (the files and object-store spouts): both emit {@link RawRecordFields}, add nothing to the
 * topology's configuration and carry their settings to the workers.
 */
public abstract class PartitionedRecordSpout<P extends ISpoutPartition, S extends Serializable>
        implements IPartitionedTridentSpout<List<String>, P, Map<String, Object>> {
    private static final long serialVersionUID = 1L;

    /** What the spout reads and how; travels with it to the workers. */
    protected final S settings;

    protected PartitionedRecordSpout(S settings) {
        this.settings = settings;
    }

    @Override
    public Map<String, Object> getComponentConfiguration() {
        return null;
    }

    @Override
    public Fields getOutputFields() {
        return RawRecordFields.FIELDS;
    }
}
