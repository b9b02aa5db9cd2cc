package io.tally.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.tally.state.schema.StepTimeBuckets;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class BucketQuantilesTest {
    private static final double[] QUANTILES = {0, 0.5, 0.9, 1};

    /**
     * Random samples of step times (heavy-tailed, uniform, with many 0 ms and repeated values, 1 to 2,000 of them):
     * the quantiles read from the bucket counts are within 2% of the exact order statistic of rank floor(q × (n - 1)),
     * and equal what DDSketch itself answers for the same times.
     */
    @Test
    void quantilesFromBucketsAreWithinTheStatedAccuracyOfTheExactOnes() {
        Random random = new Random(23);
        LongSupplier[] shapes = {
            () -> Math.round(Math.exp(random.nextGaussian() * 3 + 10)),
            () -> random.nextLong(30L * 86_400_000),
            () -> random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(5),
            () -> random.nextInt(4) == 0 ? 0 : 60_000L * (1 + random.nextInt(3)),
        };
        int checked = 0;
        for (int sample = 0; sample < 400; sample++) {
            LongSupplier shape = shapes[sample % shapes.length];
            long[] times = new long[1 + random.nextInt(sample % 10 == 0 ? 2_000 : 20)];
            TreeMap<Integer, Long> buckets = new TreeMap<>();
            DDSketch sketch = new DDSketch(new LogarithmicMapping(StepTimeBuckets.RELATIVE_ACCURACY),
                    UnboundedSizeDenseStore::new);
            for (int i = 0; i < times.length; i++) {
                times[i] = shape.getAsLong();
                buckets.merge(StepTimeBuckets.bucket(times[i]), 1L, Long::sum);
                sketch.accept(times[i]);
            }
            Arrays.sort(times);
            for (double q : QUANTILES) {
                double exact = times[(int) Math.floor(q * (times.length - 1))];
                double estimate = BucketQuantiles.millis(buckets, q).orElseThrow();
                assertThat(Math.abs(estimate - exact)).as("q %s of %s", q, Arrays.toString(times))
                        .isLessThanOrEqualTo(StepTimeBuckets.RELATIVE_ACCURACY * exact + 1e-9);
                assertThat(estimate).as("DDSketch's own answer").isEqualTo(sketch.getValueAtQuantile(q));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(400 * QUANTILES.length);
    }

    @Test
    void theMedianOfAnEvenCountIsTheLowerMiddleTimeAndZeroHasItsOwnBucket() {
        TreeMap<Integer, Long> buckets = new TreeMap<>();
        buckets.put(StepTimeBuckets.bucket(0), 2L);
        buckets.put(StepTimeBuckets.bucket(60_000), 2L);
        assertThat(BucketQuantiles.millis(buckets, 0.5)).hasValue(0.0);
        assertThat(BucketQuantiles.millis(buckets, 0.9).orElseThrow()).isBetween(58_800.0, 61_200.0);
    }

    @Test
    void bucketsEmptiedAgainAndNoBucketsHaveNoQuantile() {
        assertThat(BucketQuantiles.millis(new TreeMap<>(), 0.5)).isEmpty();
        TreeMap<Integer, Long> emptied = new TreeMap<>();
        emptied.put(StepTimeBuckets.bucket(5_000), 0L);
        assertThat(BucketQuantiles.millis(emptied, 0.5)).isEmpty();
        assertThatThrownBy(() -> BucketQuantiles.millis(emptied, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> StepTimeBuckets.bucket(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be negative");
    }
}
