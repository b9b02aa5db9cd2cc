package io.tally.topology.keyed;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.Serializable;

/**
 * The partition of a keyed stage a tuple is for, as the first value of the tuples a keyed stage takes;
 * {@link ToPartition} sends each tuple to that partition's task.
 */
public record PartitionTarget(int partition) implements Serializable {

    /** Kryo cannot set a record's fields by reflection; this writes the one field. */
    public static final class KryoSerializer extends Serializer<PartitionTarget> {
        @Override
        public void write(Kryo kryo, Output out, PartitionTarget target) {
            out.writeInt(target.partition(), true);
        }

        @Override
        public PartitionTarget read(Kryo kryo, Input in, Class<? extends PartitionTarget> type) {
            return new PartitionTarget(in.readInt(true));
        }
    }
}
