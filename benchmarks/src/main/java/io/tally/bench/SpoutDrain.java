package io.tally.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.spout.IPartitionedTridentSpout;
import org.apache.storm.trident.topology.TransactionAttempt;

/**
 * A partitioned Trident spout's emitter driven as Trident drives it, batch after batch over all its partitions, until
 * a batch emits nothing: the read path the file and object benchmarks time.
 */
final class SpoutDrain {
    /** What was emitted: tuples, the bytes of their first field (the line), and the time the batches took. */
    record Drained(long lines, long bytes, long nanos) {
        double linesPerSecond() {
            return lines / (nanos / 1e9);
        }
    }

    private SpoutDrain() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // Trident's spout types are generic over the spout's own types
    static Drained drain(IPartitionedTridentSpout spout) {
        IPartitionedTridentSpout.Emitter emitter = spout.getEmitter(Map.of(), null);
        List partitions = emitter.getOrderedPartitions(spout.getCoordinator(Map.of(), null).getPartitionsForBatch());
        long[] counted = new long[2];
        TridentCollector collector = new TridentCollector() {
            @Override
            public void emit(List<Object> values) {
                counted[0]++;
                counted[1] += ((byte[]) values.get(0)).length;
            }

            @Override
            public void flush() {
            }

            @Override
            public void reportError(Throwable t) {
                throw new IllegalStateException(t);
            }
        };
        long start = System.nanoTime();
        Map meta = new HashMap<>();
        long txid = 1;
        long before;
        do {
            before = counted[0];
            meta = emitter.emitBatchNew(new TransactionAttempt(txid++, 0), collector, Set.copyOf(partitions), meta);
        } while (counted[0] > before);
        long nanos = System.nanoTime() - start;
        emitter.close();
        return new Drained(counted[0], counted[1], nanos);
    }
}
