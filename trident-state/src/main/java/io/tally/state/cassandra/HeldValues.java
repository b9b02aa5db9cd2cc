package io.tally.state.cassandra;

import org.apache.storm.trident.state.OpaqueValue;
import org.apache.storm.trident.state.map.IBackingMap;

/**
 * A map state partition's values held in the worker's memory between writes to their table (see
 * {@link CassandraMapStateFactory#withWriteBehind}), with what its memory budget counts them as weighing.
 */
public interface HeldValues<T> extends IBackingMap<OpaqueValue<T>> {

    /** What the values held in memory weigh, changed or not, as the memory budget counts them. */
    long heldBytes();

    /** How many changed keys wait for the next write to the table. */
    int unflushed();
}
