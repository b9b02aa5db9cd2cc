package io.tally.state.cassandra;

import java.io.Serializable;
import java.util.List;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * The values of one row for one tuple, in the table's column order, as the driver's default Java types
 * (text → String, bigint → Long, timestamp → Instant, date → LocalDate, boolean → Boolean). A null value is
 * left unset, so it writes no tombstone.
 */
public interface RowBinder extends Serializable {
    List<Object> values(TridentTuple tuple);
}
