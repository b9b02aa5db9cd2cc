package io.tally.topology.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Where a Tally deployment stands, read from its sources and its tables: what is left to read, the last commit,
 * and what was counted. Null fields are sources the configuration does not have (or nothing known yet).
 *
 * @param topology the topology's name
 * @param kafkaLag records not yet in a committed batch, by topic; null without a Kafka source
 * @param kafkaRecords records the topics hold (end offsets less the earliest retained); null without Kafka
 * @param filesPending files of the watched directory not yet read to their end by committed batches; null without a
 *     files source
 * @param filesPendingBytes bytes of those files not yet read
 * @param objects the objects under the object-store source's prefixes against those committed batches read; null
 *     without an object-store source
 * @param lastCommittedBatch the transaction id of the last committed batch; null before the first commit
 * @param lastCommitAgeSeconds how long ago it committed (Trident commits a batch, empty or not, every batch
 *     interval while the topology runs)
 * @param eventsCounted events counted (each once, duplicates dropped), from {@code event_counts_by_day}
 * @param rejectedByReason records rejected, by reason, from {@code rejected_counts_by_hour}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TallyStatus(String topology, Map<String, Long> kafkaLag, Long kafkaRecords, Integer filesPending,
        Long filesPendingBytes, ObjectProgress objects, Long lastCommittedBatch, Double lastCommitAgeSeconds, long eventsCounted,
        Map<String, Long> rejectedByReason) {

    /**
     * The object-store source's progress: objects and stored bytes under its prefixes (within its key range), and
     * how many of them committed batches read to their end (bytes: also the bytes read of a plain object in
     * progress).
     */
    public record ObjectProgress(long listed, long read, long bytesListed, long bytesRead) {
        /** Objects listed but not yet read to their end. */
        @JsonIgnore
        public long pending() {
            return Math.max(0, listed - read);
        }
    }

    /** Records of all topics not yet in a committed batch (0 without Kafka). */
    @JsonIgnore
    public long totalKafkaLag() {
        return kafkaLag == null ? 0 : kafkaLag.values().stream().mapToLong(Long::longValue).sum();
    }

    @JsonProperty
    public long rejected() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Every source read to its end in committed batches: no Kafka lag, no file pending, no object pending, and at
     * least one batch committed (so the counts of everything read are in the tables).
     */
    @JsonProperty
    public boolean caughtUp() {
        return lastCommittedBatch != null && totalKafkaLag() == 0 && (filesPending == null || filesPending == 0)
                && (objects == null || objects.pending() == 0);
    }
}
