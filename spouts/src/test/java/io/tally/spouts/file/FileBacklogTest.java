package io.tally.spouts.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBacklogTest {
    @Test
    void aFileIsPendingUntilCommittedBatchesReadItToItsEnd(@TempDir Path dir) throws Exception {
        byte[] lines = "{\"a\":1}\n{\"a\":2}\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("read.jsonl"), lines);
        Files.write(dir.resolve("half.jsonl"), lines);
        try (OutputStream gzip = new GZIPOutputStream(Files.newOutputStream(dir.resolve("unread.jsonl.gz")))) {
            gzip.write(lines);
        }
        Map<String, FilePartition> files = new HashMap<>();
        DirectoryListing.list(dir, "*").forEach(file -> files.put(file.path().getFileName().toString(), file));
        Map<String, Map<String, Object>> committed = Map.of(
                files.get("read.jsonl").getId(), Map.of(FileProgress.NEXT, (long) lines.length),
                files.get("half.jsonl").getId(), Map.of(FileProgress.NEXT, 8L));

        assertThat(FileBacklog.pending(FileSpoutSettings.of(dir.toString(), "*"), committed))
                .extracting(p -> p.path().getFileName().toString(), FileBacklog.PendingFile::read,
                        FileBacklog.PendingFile::size)
                .containsExactlyInAnyOrder(
                        tuple("half.jsonl", 8L, (long) lines.length),
                        tuple("unread.jsonl.gz", 0L, (long) lines.length));
    }
}
