package io.tally.state.cassandra;

import io.tally.state.cassandra.internal.CassandraRowState;
import io.tally.state.cassandra.internal.StateMetrics;
import java.util.List;
import java.util.Map;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.tuple.TridentTuple;

/** Trident state for {@link RowTable}s, used with {@code partitionPersist(factory, fields, factory.writer())}. */
public final class CassandraRowStateFactory implements StateFactory {
    private static final long serialVersionUID = 1L;

    private final CassandraSettings settings;
    private final RowTable table;

    private CassandraRowStateFactory(CassandraSettings settings, RowTable table) {
        this.settings = settings;
        this.table = table;
    }

    public static CassandraRowStateFactory of(CassandraSettings settings, RowTable table) {
        return new CassandraRowStateFactory(settings, table);
    }

    @Override
    public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex, int numPartitions) {
        return new CassandraRowState(settings, table, StateMetrics.register(conf, metrics, table.name()));
    }

    /** The updater that writes each tuple of a batch as one row. */
    public static RowWriter writer() {
        return new RowWriter();
    }

    public static final class RowWriter extends BaseStateUpdater<CassandraRowState> {
        private static final long serialVersionUID = 1L;

        @Override
        public void updateState(CassandraRowState state, List<TridentTuple> tuples, TridentCollector collector) {
            state.write(tuples);
        }
    }
}
