package io.tally.topology.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class StatusFormatTest {
    private static final TallyStatus HALF_WAY = new TallyStatus("tally", Map.of("events", 10_000L), 20_000L, 1, 512L,
            null, 41L, 0.25, 9_990, new TreeMap<>(Map.of("invalid_json", 7L, "too_late", 3L)));

    @Test
    void theLiveLineShowsProgressRatesCountsLagAndTheLastCommit() {
        assertThat(StatusFormat.line(HALF_WAY, new StatusFormat.Local(1234.4, 12)))
                .isEqualTo("[##########..........]  50% | 1,234 records/s in | counted 9,990 | duplicates dropped 12"
                        + " | rejected 10 (invalid_json 7, too_late 3) | lag events 10,000 | 1 files pending"
                        + " | last commit: batch 41, 0.3 s ago");
    }

    @Test
    void jsonHasTheFieldsAnOperatorScriptsAgainst() {
        assertThat(StatusFormat.json(HALF_WAY)).contains("\"kafkaLag\" : {", "\"events\" : 10000",
                "\"caughtUp\" : false", "\"rejected\" : 10", "\"lastCommitAgeSeconds\" : 0.25");
        TallyStatus filesOnly = new TallyStatus("tally", null, null, 0, 0L, null, 3L, 1.0, 5, Map.of());
        assertThat(filesOnly.caughtUp()).isTrue();
        assertThat(StatusFormat.json(filesOnly)).doesNotContain("kafkaLag");
    }

    @Test
    void objectsShowReadAgainstListedInTextLineAndJson() {
        TallyStatus objects = new TallyStatus("tally", null, null, null, null,
                new TallyStatus.ObjectProgress(6, 4, 3_000_000, 2_100_000), 8L, 0.5, 700, Map.of());
        assertThat(objects.caughtUp()).isFalse();
        assertThat(StatusFormat.text(objects)).contains(
                "Objects read (committed batches): 4 of 6 listed under the prefixes; 2,100,000 of 3,000,000 stored"
                        + " bytes\n");
        assertThat(StatusFormat.line(objects, null)).contains("| objects read 4 of 6 |");
        assertThat(StatusFormat.json(objects)).contains("\"objects\" : {", "\"listed\" : 6", "\"read\" : 4",
                "\"bytesListed\" : 3000000", "\"bytesRead\" : 2100000").doesNotContain("pending");
        TallyStatus allRead = new TallyStatus("tally", null, null, null, null,
                new TallyStatus.ObjectProgress(6, 6, 3_000_000, 3_000_000), 9L, 0.5, 1_000, Map.of());
        assertThat(allRead.caughtUp()).isTrue();
    }
}
