package io.tally.topology.keyed;

import org.apache.storm.trident.operation.BaseFilter;
import org.apache.storm.trident.tuple.TridentTuple;

/** Keeps the per-user stage's changes to one count table. */
public final class TableIs extends BaseFilter {
    private static final long serialVersionUID = 1L;

    private final String table;

    public TableIs(String table) {
        this.table = table;
    }

    @Override
    public boolean isKeep(TridentTuple tuple) {
        return table.equals(tuple.getString(0));
    }
}
