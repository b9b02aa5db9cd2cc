package io.tally.spouts.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.testsupport.RecordingCollector;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emitter driven batch by batch, as Trident's partitioned executor drives it. */
class LogFileSpoutTest {
    @TempDir
    Path dir;

    /** Keeps what a batch emitted. */
    static final class Collected extends RecordingCollector {
        List<String> lines() {
            return emitted().stream().map(t -> new String((byte[]) t.get(0), StandardCharsets.UTF_8)).toList();
        }

        List<Long> positions() {
            return emitted().stream().map(t -> (Long) t.get(2)).toList();
        }
    }

    private FileSpoutSettings settings(long idleMillis) {
        return FileSpoutSettings.of(dir.toString(), "*.{jsonl,log,gz,1}").withIdleTimeoutMillis(idleMillis);
    }

    private static FilePartition only(FileSpoutSettings settings) {
        List<FilePartition> files = DirectoryListing.list(Path.of(settings.directory()), settings.glob());
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    private static final int MAX_SPOUT_PENDING = 2;
    private long txid;

    private static LogFileSpout.FileEmitter emitter(FileSpoutSettings settings) {
        return new LogFileSpout.FileEmitter(settings, MAX_SPOUT_PENDING, null, Map.of());
    }

    /** One new batch, with the next transaction id. */
    private Map<String, Object> batch(LogFileSpout.FileEmitter emitter, FilePartition file,
            Map<String, Object> last, Collected into) {
        return emitter.emit(++txid, file, last, into);
    }

    @Test
    void aPartialLastLineWaitsForItsNewline() throws IOException {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "{\"a\":1}\n{\"a\":2}\n{\"a\":");
        FileSpoutSettings settings = settings(60_000);
        LogFileSpout.FileEmitter emitter = emitter(settings);
        FilePartition partition = only(settings);

        Collected first = new Collected();
        Map<String, Object> meta = batch(emitter, partition, null, first);
        assertThat(first.lines()).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(first.positions()).containsExactly(0L, 8L);
        assertThat(meta.get(LogFileSpout.NEXT)).isEqualTo(16L);

        Files.writeString(file, "3}\n{\"a\":4}\n", StandardOpenOption.APPEND);
        Collected second = new Collected();
        batch(emitter, partition, meta, second);
        assertThat(second.lines()).containsExactly("{\"a\":3}", "{\"a\":4}");
        assertThat(second.positions()).containsExactly(16L, 24L);
        assertThat(second.emitted().get(0).get(1)).isEqualTo(partition.source());
    }

    @Test
    void anUnterminatedLastLineIsTakenOnceTheFileIsIdle() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "one\ntwo");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));
        FileSpoutSettings settings = settings(5_000);
        Collected batch = new Collected();
        Map<String, Object> meta = batch(emitter(settings), only(settings), null, batch);
        assertThat(batch.lines()).containsExactly("one", "two");
        assertThat(meta.get(LogFileSpout.NEXT)).isEqualTo(7L);
    }

    @Test
    void aReplayFromTheSameMetadataEmitsTheSameLines() throws IOException {
        Path file = dir.resolve("events.jsonl");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            text.append("line-").append(i).append('\n');
        }
        Files.writeString(file, text);
        FileSpoutSettings settings = settings(60_000).withBatchLimits(300, 1 << 20);
        FilePartition partition = only(settings);
        LogFileSpout.FileEmitter emitter = emitter(settings);

        Collected first = new Collected();
        Map<String, Object> afterFirst = batch(emitter, partition, null, first);
        Collected second = new Collected();
        batch(emitter, partition, afterFirst, second);
        // Trident replays the second batch: same metadata in, same lines out (also from a fresh emitter).
        Collected replay = new Collected();
        batch(emitter(settings), partition, afterFirst, replay);
        assertThat(first.lines()).hasSize(300).startsWith("line-0").endsWith("line-299");
        assertThat(replay.lines()).isEqualTo(second.lines()).startsWith("line-300").endsWith("line-599");
        assertThat(replay.positions()).isEqualTo(second.positions());
    }

    @Test
    void aReplayReReadsExactlyTheFirstAttemptsLinesThoughTheFileGrew() throws IOException {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "{\"a\":1}\n{\"a\":2}\n");
        FileSpoutSettings settings = settings(60_000);
        FilePartition partition = only(settings);
        Collected first = new Collected();
        Map<String, Object> meta = batch(emitter(settings), partition, null, first);
        Files.writeString(file, "{\"a\":3}\n{\"a\":4}\n", StandardOpenOption.APPEND);

        Collected replay = new Collected();
        emitter(settings).reEmitPartitionBatch(null, replay, partition, meta);
        assertThat(replay.lines()).isEqualTo(first.lines()).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(replay.positions()).isEqualTo(first.positions());
        assertThat(replay.emitted().get(0).get(3)).as("receipt time of the first attempt").isEqualTo(first.emitted().get(0).get(3));
    }

    @Test
    void rotationByRenameNeitherRereadsNorSkips() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "a\nb\nc\n");
        FileSpoutSettings settings = settings(60_000).withBatchLimits(2, 1 << 20);
        FilePartition before = only(settings);
        LogFileSpout.FileEmitter emitter = emitter(settings);
        Collected first = new Collected();
        Map<String, Object> meta = batch(emitter, before, null, first);

        Files.move(file, dir.resolve("app.log.1"));
        Files.writeString(dir.resolve("app.log.1"), "d\n", StandardOpenOption.APPEND);
        FilePartition after = only(settings);
        assertThat(after.getId()).isEqualTo(before.getId());
        assertThat(after.path()).isNotEqualTo(before.path());

        Collected second = new Collected();
        batch(emitter(settings), after, meta, second);
        assertThat(first.lines()).containsExactly("a", "b");
        assertThat(second.lines()).containsExactly("c", "d");
    }

    @Test
    void gzipFilesAreReadWithUncompressedOffsets() throws IOException {
        Path file = dir.resolve("export.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("first\nsecond\nthird-without-newline".getBytes(StandardCharsets.UTF_8));
        }
        FileSpoutSettings settings = settings(60_000).withBatchLimits(2, 1 << 20);
        FilePartition partition = only(settings);
        LogFileSpout.FileEmitter emitter = emitter(settings);
        Collected first = new Collected();
        Map<String, Object> meta = batch(emitter, partition, null, first);
        Collected second = new Collected();
        batch(emitter, partition, meta, second);
        assertThat(first.lines()).containsExactly("first", "second");
        assertThat(second.lines()).containsExactly("third-without-newline");
        assertThat(second.positions()).containsExactly(13L);
    }

    @Test
    void emptyLinesAndCrLfEndsAndOverlongLines() throws IOException {
        Path file = dir.resolve("mixed.jsonl");
        String overlong = "x".repeat(5_000);
        Files.writeString(file, "a\r\n\r\n\nb\n" + overlong + "\nc\n");
        FileSpoutSettings settings = settings(60_000).withMaxLineBytes(100);
        Collected batch = new Collected();
        batch(emitter(settings), only(settings), null, batch);
        assertThat(batch.lines()).containsExactly("a", "b", "x".repeat(101), "c");
    }

    @Test
    void aDeletedFileIsReportedNotFatal() throws IOException {
        Path file = dir.resolve("gone.jsonl");
        Files.writeString(file, "a\n");
        FileSpoutSettings settings = settings(60_000);
        FilePartition partition = only(settings);
        LogFileSpout.FileEmitter emitter = emitter(settings);
        Map<String, Object> meta = batch(emitter, partition, null, new Collected());
        Files.delete(file);
        Collected after = new Collected();
        assertThat(batch(emitter, partition, meta, after).get(LogFileSpout.NEXT)).isEqualTo(2L);
        assertThat(after.emitted()).isEmpty();
    }

    @Test
    void aCompletedFileMovesToTheDoneDirectoryOnlyOnceItsBatchesHaveCommitted() throws IOException {
        Path file = dir.resolve("export.jsonl");
        Files.writeString(file, "a\nb\nlast-without-newline");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(600)));
        Path done = dir.resolve("done");
        FileSpoutSettings settings = settings(1_000).withDoneDirectory(done.toString(), 60_000);
        FilePartition partition = only(settings);
        LogFileSpout.FileEmitter emitter = emitter(settings);

        Collected first = new Collected();
        Map<String, Object> meta = batch(emitter, partition, null, first);
        assertThat(first.lines()).containsExactly("a", "b", "last-without-newline");
        // Batch 2 reads nothing, but batch 1 may still be uncommitted (two batches in flight): the file stays.
        meta = batch(emitter, partition, meta, new Collected());
        assertThat(file).exists();
        // Batch 3 starts only after batch 1 committed.
        meta = batch(emitter, partition, meta, new Collected());
        assertThat(file).doesNotExist();
        assertThat(done.resolve("export.jsonl")).hasContent("a\nb\nlast-without-newline");
        // Listed once more before the next scan: nothing is emitted and nothing is reported missing.
        Collected afterMove = new Collected();
        assertThat(batch(emitter, partition, meta, afterMove).get(LogFileSpout.NEXT)).isEqualTo(meta.get(LogFileSpout.NEXT));
        assertThat(afterMove.emitted()).isEmpty();
        assertThat(DirectoryListing.list(dir, settings.glob())).isEmpty();
    }

    @Test
    void aFileThatChangedRecentlyOrIsNotConfiguredToMoveStays() throws IOException {
        Path file = dir.resolve("app.log");
        Files.writeString(file, "a\n");
        FileSpoutSettings moving = settings(1_000).withDoneDirectory(dir.resolve("done").toString(), 60_000);
        FilePartition partition = only(moving);
        LogFileSpout.FileEmitter emitter = emitter(moving);
        Map<String, Object> meta = null;
        for (int i = 0; i < 4; i++) {
            meta = batch(emitter, partition, meta, new Collected());
        }
        assertThat(file).exists(); // written just now: not quiet for a minute yet

        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(600)));
        LogFileSpout.FileEmitter leaving = emitter(settings(1_000));
        for (int i = 0; i < 4; i++) {
            meta = batch(leaving, partition, meta, new Collected());
        }
        assertThat(file).exists(); // no done directory: files are left
    }

    @Test
    void aDoneFileWhoseNameIsTakenKeepsBoth() throws IOException {
        Path done = Files.createDirectories(dir.resolve("done"));
        Files.writeString(done.resolve("hour.jsonl"), "earlier\n");
        Path file = dir.resolve("hour.jsonl");
        Files.writeString(file, "later\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(600)));
        FileSpoutSettings settings = settings(1_000).withDoneDirectory(done.toString(), 60_000);
        FilePartition partition = only(settings);
        LogFileSpout.FileEmitter emitter = emitter(settings);
        Map<String, Object> meta = null;
        for (int i = 0; i < 3; i++) {
            meta = batch(emitter, partition, meta, new Collected());
        }
        assertThat(done.resolve("hour.jsonl")).hasContent("earlier\n");
        assertThat(done.resolve("hour.jsonl." + partition.getId())).hasContent("later\n");
    }

    @Test
    void theDoneDirectoryMustBeElsewhereAndWaitAtLeastTheIdleTimeout() {
        assertThatThrownBy(() -> settings(1_000).withDoneDirectory(dir.toString(), 60_000))
                .hasMessage("files.done_directory: must not be the watched directory itself, was " + dir);
        assertThatThrownBy(() -> settings(5_000).withDoneDirectory(dir.resolve("done").toString(), 10))
                .hasMessage("files.done_after_idle_ms: must be at least files.idle_timeout_ms (5000), was 10");
    }

    @Test
    void aMillionLineFileIsReadCompletelyInBoundedBatches() throws IOException {
        Path file = dir.resolve("big.jsonl");
        CRC32 written = new CRC32();
        try (Writer out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < 1_000_000; i++) {
                String line = "{\"type\":\"track\",\"event\":\"e" + (i % 20) + "\",\"n\":" + i + "}";
                written.update(line.getBytes(StandardCharsets.UTF_8));
                out.write(line);
                out.write('\n');
            }
        }
        FileSpoutSettings settings = settings(60_000).withBatchLimits(100_000, 2 * 1024 * 1024);
        FilePartition partition = only(settings);
        LogFileSpout.FileEmitter emitter = emitter(settings);
        CRC32 read = new CRC32();
        long lines = 0;
        int batches = 0;
        Map<String, Object> meta = null;
        while (true) {
            Collected batch = new Collected();
            meta = batch(emitter, partition, meta, batch);
            if (batch.emitted().isEmpty()) {
                break;
            }
            assertThat(batch.emitted().size()).isLessThanOrEqualTo(100_000);
            batch.emitted().forEach(t -> read.update((byte[]) t.get(0)));
            lines += batch.emitted().size();
            batches++;
        }
        assertThat(lines).isEqualTo(1_000_000);
        assertThat(read.getValue()).isEqualTo(written.getValue());
        assertThat(batches).isGreaterThan(10);
        assertThat(meta.get(LogFileSpout.NEXT)).isEqualTo(Files.size(file));
    }
}
