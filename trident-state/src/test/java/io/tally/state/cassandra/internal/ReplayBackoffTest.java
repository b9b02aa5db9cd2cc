package io.tally.state.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayBackoffTest {

    @Test
    void eachFailureInARowWaitsTwiceAsLongUpToTheCap() {
        assertThat(ReplayBackoff.delayMillis(1)).isEqualTo(100);
        assertThat(ReplayBackoff.delayMillis(2)).isEqualTo(200);
        assertThat(ReplayBackoff.delayMillis(3)).isEqualTo(400);
        assertThat(ReplayBackoff.delayMillis(6)).isEqualTo(3_200);
        assertThat(ReplayBackoff.delayMillis(7)).isEqualTo(5_000);
        assertThat(ReplayBackoff.delayMillis(1_000)).isEqualTo(5_000);
    }
}
