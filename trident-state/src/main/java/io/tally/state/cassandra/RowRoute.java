package io.tally.state.cassandra;

import java.io.Serializable;
import java.util.List;

/**
 * The route of a map table's row, from the values of its key columns ({@link MapTable#keyColumns()}, as the driver
 * returns them): the same route the topology sends the row's key by, so that a state partition can tell its own rows
 * from the others' (see {@link io.tally.state.keyed.KeyRouting#partition}).
 */
@FunctionalInterface
public interface RowRoute extends Serializable {
    int of(List<Object> rowKey);
}
