package io.tally.topology.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A {@link TallyStatus} as {@code tally status} prints it (text or JSON) and as the local runner's live line. */
public final class StatusFormat {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int BAR_WIDTH = 20;

    private StatusFormat() {
    }

    /**
     * What only the JVM running the topology knows (the local runner's LocalCluster).
     *
     * @param recordsPerSecond records ingested per second since the last line
     * @param duplicatesDropped duplicates dropped since the JVM started
     */
    public record Local(double recordsPerSecond, long duplicatesDropped) {
    }

    public static String json(TallyStatus status) {
        try {
            return JSON.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status not serializable", e);
        }
    }

    /** One line: a progress bar where the input's size is known, then rates, counts, what is left, the last commit. */
    public static String line(TallyStatus status, Local local) {
        List<String> parts = new ArrayList<>();
        if (status.kafkaRecords() != null && status.kafkaRecords() > 0) {
            double done = 1 - (double) status.totalKafkaLag() / status.kafkaRecords();
            int filled = (int) Math.round(done * BAR_WIDTH);
            parts.add(String.format("[%s%s] %3.0f%%", "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), done * 100));
        }
        if (local != null) {
            parts.add(String.format("%,.0f records/s in", local.recordsPerSecond()));
        }
        parts.add(String.format("counted %,d", status.eventsCounted()));
        if (local != null) {
            parts.add(String.format("duplicates dropped %,d", local.duplicatesDropped()));
        }
        parts.add(rejected(status));
        if (status.kafkaLag() != null) {
            parts.add("lag " + status.kafkaLag().entrySet().stream()
                    .map(e -> String.format("%s %,d", e.getKey(), e.getValue())).collect(Collectors.joining(", ")));
        }
        if (status.filesPending() != null) {
            parts.add(status.filesPending() + " files pending");
        }
        if (status.objects() != null) {
            parts.add(String.format("objects read %,d of %,d", status.objects().read(), status.objects().listed()));
        }
        parts.add(lastCommit(status));
        return String.join(" | ", parts);
    }

    /** Several lines, for {@code tally status}. */
    public static String text(TallyStatus status) {
        StringBuilder text = new StringBuilder("Topology " + status.topology() + (status.caughtUp()
                ? ": caught up (every source read to its end in committed batches)" : "") + "\n");
        if (status.kafkaLag() != null) {
            text.append(String.format("Kafka lag (records not in a committed batch): %s; %,d records in the topics%n",
                    status.kafkaLag().entrySet().stream().map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
                            .collect(Collectors.joining(", ")), status.kafkaRecords()));
        }
        if (status.filesPending() != null) {
            text.append(String.format("Files pending: %d (%,d bytes not yet read)%n", status.filesPending(),
                    status.filesPendingBytes()));
        }
        if (status.objects() != null) {
            TallyStatus.ObjectProgress objects = status.objects();
            text.append(String.format("Objects read (committed batches): %,d of %,d listed under the prefixes;"
                    + " %,d of %,d stored bytes%n", objects.read(), objects.listed(), objects.bytesRead(),
                    objects.bytesListed()));
        }
        text.append(lastCommit(status)).append('\n');
        text.append(String.format("Events counted: %,d%n", status.eventsCounted()));
        text.append(rejected(status)).append('\n');
        return text.toString();
    }

    private static String rejected(TallyStatus status) {
        Map<String, Long> byReason = status.rejectedByReason();
        return String.format("rejected %,d", status.rejected()) + (byReason.isEmpty() ? "" : byReason.entrySet()
                .stream().map(e -> String.format("%s %,d", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ", " (", ")")));
    }

    private static String lastCommit(TallyStatus status) {
        return status.lastCommittedBatch() == null ? "no batch committed yet"
                : String.format("last commit: batch %d, %.1f s ago", status.lastCommittedBatch(),
                        status.lastCommitAgeSeconds());
    }
}
