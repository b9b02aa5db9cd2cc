package io.tally.state.cassandra;

import java.util.ArrayList;
import java.util.List;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * Passes on the tuples whose record is the one that counts for its key (see {@link FirstClaimState}) and drops the
 * rest. Input fields: the key's {@code keyFields} fields, then the record's {@code source} and {@code position},
 * then anything else to carry along; the tuples passed on have the same values.
 */
public final class FirstClaimUpdater extends BaseStateUpdater<FirstClaimState> {
    private static final long serialVersionUID = 1L;

    private final int keyFields;

    public FirstClaimUpdater(int keyFields) {
        if (keyFields < 1) {
            throw new IllegalArgumentException("a claim needs at least one key field");
        }
        this.keyFields = keyFields;
    }

    @Override
    public void updateState(FirstClaimState state, List<TridentTuple> tuples, TridentCollector collector) {
        List<FirstClaimState.Claim> claims = new ArrayList<>(tuples.size());
        for (TridentTuple tuple : tuples) {
            claims.add(new FirstClaimState.Claim(new ArrayList<>(tuple.subList(0, keyFields)),
                    tuple.getString(keyFields), tuple.getLong(keyFields + 1)));
        }
        List<Boolean> counts = state.claim(claims);
        for (int i = 0; i < tuples.size(); i++) {
            if (counts.get(i)) {
                collector.emit(tuples.get(i).getValues());
            }
        }
    }
}
