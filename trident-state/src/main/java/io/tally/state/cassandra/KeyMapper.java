package io.tally.state.cassandra;

import java.io.Serializable;
import java.util.List;

/**
 * Turns a Trident group-by key into the values of a table's primary-key columns, and back.
 *
 * <p>Trident keys are what the topology groups by (say {@code [event, hourEpochMillis]}); tables
 * are shaped for analysts (say {@code ((event, day), hour)} so one day is one bounded partition).
 * The mapper bridges the two. It must be a pure function: the same key always maps to the same row.
 */
public interface KeyMapper extends Serializable {

    /** Values for {@link MapTable#partitionKeyColumns()} then {@link MapTable#clusteringColumns()}, in order. */
    List<Object> toColumns(List<Object> tridentKey);
}
