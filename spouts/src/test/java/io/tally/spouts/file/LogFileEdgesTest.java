package io.tally.spouts.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.apache.storm.shade.net.minidev.json.JSONValue;
import org.apache.storm.topology.FailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the log-file spout behaves when files are rotated, truncated, replaced, unreadable, oddly named, numerous or
 * linked from elsewhere; every case ends in exactly the lines written, each read once.
 */
class LogFileEdgesTest {
    @TempDir
    Path dir;
    @TempDir
    Path elsewhere;

    private FileSpoutSettings settings(String glob) {
        return FileSpoutSettings.of(dir.toString(), glob).withIdleTimeoutMillis(60_000);
    }

    private static List<String> lines(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }

    private static void write(Path file, List<String> lines, StandardOpenOption... options) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", options);
    }

    /** {@code files} files {@code <prefix>-<n>.jsonl} of {@code each} lines; all their lines. */
    private List<String> writeFiles(String prefix, int files, int each) throws IOException {
        List<String> all = new ArrayList<>();
        for (int f = 0; f < files; f++) {
            List<String> file = lines(prefix + f, each);
            write(dir.resolve(prefix + "-" + f + ".jsonl"), file);
            all.addAll(file);
        }
        return all;
    }

    private static Object key(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /** Item 1: a replay after {@code app.jsonl} was renamed and a new {@code app.jsonl} written, across a restart. */
    @Test
    void aReplayAfterARotationByRenameReadsTheRenamedFileEvenAfterARestart() throws IOException {
        Path live = dir.resolve("app.jsonl");
        List<String> old = lines("old", 10);
        write(live, old);
        TridentDriver trident = new TridentDriver(settings("app.jsonl*").withBatchLimits(4, 1 << 20), 2);
        TridentDriver.Batch first = trident.next();
        TridentDriver.Batch second = trident.next();
        assertThat(first.lines()).isEqualTo(old.subList(0, 4));
        assertThat(second.lines()).isEqualTo(old.subList(4, 8));

        // The worker dies with batch 2 uncommitted; meanwhile the log is rotated.
        Files.move(live, dir.resolve("app.jsonl.1"));
        List<String> fresh = lines("new", 10);
        write(live, fresh);
        trident.restart();
        assertThat(trident.replay(2).lines()).as("the replay of batch 2").isEqualTo(old.subList(4, 8));

        List<String> after = trident.drain();
        List<String> expected = new ArrayList<>(old.subList(8, 10));
        expected.addAll(fresh);
        assertThat(after).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Item 1: a file renamed to a name the glob does not match is still read to its end. */
    @Test
    void aFileRenamedOutOfTheGlobIsReadToItsEnd() throws IOException {
        Path live = dir.resolve("app.jsonl");
        List<String> old = lines("old", 10);
        write(live, old);
        TridentDriver trident = new TridentDriver(settings("*.jsonl").withBatchLimits(4, 1 << 20)
                .withScanIntervalMillis(1), 2);
        assertThat(trident.next().lines()).isEqualTo(old.subList(0, 4));
        Path rotated = dir.resolve("app.jsonl.1");
        Files.move(live, rotated);
        List<String> late = lines("written-before-the-writer-reopened", 2);
        write(rotated, late, StandardOpenOption.APPEND);
        List<String> fresh = lines("new", 3);
        write(live, fresh);
        sleepPastScanInterval();

        List<String> expected = new ArrayList<>(old.subList(4, 10));
        expected.addAll(late);
        expected.addAll(fresh);
        assertThat(trident.drain()).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void sleepPastScanInterval() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Item 1: the rename happens between the listing and the read of a new batch (no restart). */
    @Test
    void aBatchListedBeforeARenameReadsTheFileItListed() throws IOException {
        Path live = dir.resolve("app.log");
        List<String> old = lines("old", 6);
        write(live, old);
        FileSpoutSettings settings = settings("app.log*").withBatchLimits(3, 1 << 20);
        LogFileSpout.FileEmitter emitter = new LogFileSpout.FileEmitter(settings, 2, null, java.util.Map.of());
        FilePartition listed = DirectoryListing.list(dir, settings.glob()).get(0);
        TridentDriver.Batch first = new TridentDriver.Batch();
        java.util.Map<String, Object> meta = emitter.emit(1, listed, null, first);
        Files.move(live, dir.resolve("app.log.1"));
        write(live, lines("new", 6));
        TridentDriver.Batch second = new TridentDriver.Batch();
        emitter.emit(2, listed, meta, second);
        assertThat(first.lines()).isEqualTo(old.subList(0, 3));
        assertThat(second.lines()).isEqualTo(old.subList(3, 6));
    }

    /** Item 2: logrotate's copytruncate, new content shorter and longer than what was read. */
    @Test
    void aCopytruncatedFileIsReadAgainFromItsStart() throws IOException {
        Path live = dir.resolve("app.log");
        List<String> before = lines("before", 20);
        write(live, before);
        TridentDriver trident = new TridentDriver(settings("*.log"), 2);
        assertThat(trident.drain()).isEqualTo(before);

        List<String> shorter = lines("short", 2);
        write(live, shorter, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        assertThat(trident.drain()).as("after a truncation to less than was read").isEqualTo(shorter);

        List<String> longer = lines("a-much-longer-line-after-the-second-truncation", 30);
        write(live, longer, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        assertThat(trident.drain()).as("after a truncation then more than was read").isEqualTo(longer);
    }

    /** Item 3: a deleted file's inode given to the next file; the new file is read whole, under its own source. */
    @Test
    void aFileReusingADeletedFilesInodeIsANewFile() throws IOException {
        Path export = dir.resolve("export-1.jsonl");
        write(export, lines("first-export", 50));
        TridentDriver trident = new TridentDriver(settings("*.jsonl"), 2);
        TridentDriver.Batch firstBatch = trident.next();
        assertThat(firstBatch.lines()).hasSize(50);
        assertThat(trident.drain()).isEmpty();
        Object deadKey = key(export);
        Files.delete(export);
        assertThat(trident.drain()).isEmpty();

        Path next = dir.resolve("export-2.jsonl");
        List<String> second = lines("second", 80);
        write(next, second);
        assumeTrue(deadKey.equals(key(next)), "the filesystem gave the new file another inode");
        TridentDriver.Batch batch = trident.next();
        assertThat(batch.lines()).isEqualTo(second);
        assertThat(batch.sources()).doesNotContain(firstBatch.sources().get(0));
    }

    /** Item 4: a corrupt gzip fails only its own part of a batch, is retried a bounded number of times, then skipped. */
    @Test
    void anUnreadableFileIsRetriedThenSkippedWhileOtherFilesAreRead() throws IOException {
        Path broken = dir.resolve("broken.jsonl.gz");
        byte[] whole = gzip(lines("gz", 5000));
        Files.write(broken, java.util.Arrays.copyOf(whole, whole.length / 2)); // a copy cut short
        Files.setLastModifiedTime(broken, FileTime.from(Instant.now().minusSeconds(600)));
        Path good = dir.resolve("good.jsonl");
        write(good, lines("good", 3));
        FileSpoutSettings settings = FileSpoutSettings.of(dir.toString(), "*.{jsonl,gz}").withIdleTimeoutMillis(1);
        TridentDriver trident = new TridentDriver(settings, 2);
        assertThat(trident.next().lines()).isEqualTo(lines("good", 3));
        for (int i = 0; i < 20; i++) {
            sleepPastRetryInterval(settings);
            assertThat(trident.next().lines()).isEmpty();
        }
        assertThat(trident.emitter.takeReadErrors()).isEqualTo(settings.maxReadAttempts());
        assertThat(trident.emitter.takeSkippedFiles()).isEqualTo(1);

        // Rewritten whole: a changed file is tried again.
        Files.write(broken, whole);
        assertThat(trident.drain()).isEqualTo(lines("gz", 5000));
    }

    /** Item 4: a replay that cannot re-read its file fails its batch, a bounded number of times, never the worker. */
    @Test
    void aReplayThatCannotReadFailsItsBatchABoundedNumberOfTimes() throws IOException {
        Path export = dir.resolve("export.jsonl.gz");
        byte[] whole = gzip(lines("gz", 5000));
        Files.write(export, whole);
        FileSpoutSettings settings = FileSpoutSettings.of(dir.toString(), "*.gz").withIdleTimeoutMillis(60_000)
                .withBatchLimits(4000, 1 << 24);
        TridentDriver trident = new TridentDriver(settings, 2);
        assertThat(trident.next().lines()).isEqualTo(lines("gz", 4000));
        Files.write(export, java.util.Arrays.copyOf(whole, whole.length / 2));

        for (int attempt = 1; attempt < settings.maxReadAttempts(); attempt++) {
            assertThatThrownBy(() -> trident.replay(1)).isInstanceOf(FailedException.class)
                    .hasMessageContaining("re-reading log file");
        }
        assertThat(trident.replay(1).emitted()).isEmpty();
        assertThat(trident.emitter.takeReadErrors()).isEqualTo(settings.maxReadAttempts());
        assertThat(trident.emitter.takeSkippedFiles()).isEqualTo(1);
    }

    private static byte[] gzip(List<String> lines) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void sleepPastRetryInterval(FileSpoutSettings settings) {
        try {
            Thread.sleep(settings.idleTimeoutMillis() + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Item 5: a TAB in a file name. */
    @Test
    void aTabInAFileNameIsReadLikeAnyName() throws IOException {
        write(dir.resolve("odd\tname.jsonl"), lines("tab", 3));
        TridentDriver trident = new TridentDriver(settings("*.jsonl"), 2);
        assertThat(trident.drain()).isEqualTo(lines("tab", 3));
    }

    /** Item 5: the coordinator's metadata for each batch stays small with 20,000 files, and each file is read once. */
    @Test
    void twentyThousandFilesKeepEachBatchsMetadataSmall() throws IOException {
        int files = 20_000;
        Set<String> written = new HashSet<>();
        for (int i = 0; i < files; i++) {
            String line = "{\"n\":" + i + "}";
            Files.writeString(dir.resolve("events-" + i + ".jsonl"), line + "\n");
            written.add(line);
        }
        // Listed once: the test is about what each batch names, not about how long listing 20,000 files takes.
        TridentDriver trident = new TridentDriver(settings("*.jsonl").withScanIntervalMillis(600_000), 2);
        List<String> read = trident.drain();
        assertThat(read).hasSize(files);
        assertThat(new HashSet<>(read)).isEqualTo(written);
        int largest = trident.coordinatorMetas.values().stream()
                .mapToInt(meta -> JSONValue.toJSONString(meta).getBytes(StandardCharsets.UTF_8).length).max().orElseThrow();
        assertThat(largest).as("bytes of the largest coordinator metadata stored for a batch").isLessThan(128 * 1024);
    }

    /** Item 5: with more files than a batch names, files take turns and a large file is still read to its end. */
    @Test
    void filesBeyondABatchsFileLimitTakeTurnsAndAreAllReadOnce() throws IOException {
        List<String> all = writeFiles("small", 9, 3);
        List<String> large = lines("large", 2000);
        write(dir.resolve("large.jsonl"), large);
        all.addAll(large);
        FileSpoutSettings settings = settings("*.jsonl").withBatchLimits(100, 1 << 20).withFileLimits(3, 5, false);
        TridentDriver trident = new TridentDriver(settings, 2);
        List<String> read = new ArrayList<>();
        int idle = 0;
        while (idle < 10) {
            TridentDriver.Batch batch = trident.next();
            assertThat((List<?>) trident.coordinatorMetas.get(trident.lastTxid())).hasSizeLessThanOrEqualTo(3);
            idle = batch.emitted().isEmpty() ? idle + 1 : 0;
            read.addAll(batch.lines());
        }
        assertThat(read).containsExactlyInAnyOrderElementsOf(all);
    }

    /** Item 6: the batch limits hold for the batch as a whole, across files. */
    @Test
    void theBatchLimitsHoldAcrossFiles() throws IOException {
        List<String> all = writeFiles("export", 10, 1000);
        TridentDriver trident = new TridentDriver(settings("*.jsonl").withBatchLimits(500, 1 << 20), 2);
        List<String> read = new ArrayList<>();
        while (true) {
            TridentDriver.Batch batch = trident.next();
            if (batch.emitted().isEmpty()) {
                break;
            }
            assertThat(batch.emitted().size()).as("lines in batch " + trident.lastTxid()).isLessThanOrEqualTo(500);
            read.addAll(batch.lines());
        }
        assertThat(read).containsExactlyInAnyOrderElementsOf(all);

        TridentDriver bytes = new TridentDriver(settings("*.jsonl").withBatchLimits(100_000, 64 * 1024), 2);
        long largest = 0;
        int lines = 0;
        while (true) {
            TridentDriver.Batch batch = bytes.next();
            if (batch.emitted().isEmpty()) {
                break;
            }
            lines += batch.emitted().size();
            largest = Math.max(largest, batch.lines().stream().mapToLong(l -> l.length() + 1).sum());
        }
        assertThat(lines).isEqualTo(all.size());
        assertThat(largest).as("bytes in the largest batch").isLessThanOrEqualTo(64 * 1024);
    }

    /** Item 7: a link out of the directory is not followed; a link within it reads its file once. */
    @Test
    void linksOutOfTheDirectoryAreNotFollowed() throws IOException {
        Path secret = elsewhere.resolve("secret.jsonl");
        write(secret, List.of("{\"password\":\"hunter2\"}"));
        Files.createSymbolicLink(dir.resolve("innocent.jsonl"), secret);
        Path real = dir.resolve("real.jsonl");
        write(real, lines("real", 3));
        Files.createSymbolicLink(dir.resolve("current.jsonl"), real);
        TridentDriver trident = new TridentDriver(settings("*.jsonl"), 2);
        assertThat(trident.drain()).isEqualTo(lines("real", 3));
    }

    /** Item 7: configured to, links out of the directory are followed. */
    @Test
    void linksOutOfTheDirectoryAreFollowedWhenConfigured() throws IOException {
        Path shared = elsewhere.resolve("shared.jsonl");
        write(shared, lines("shared", 2));
        Files.createSymbolicLink(dir.resolve("shared.jsonl"), shared);
        TridentDriver trident = new TridentDriver(settings("*.jsonl").withSymlinksOutside(true), 2);
        assertThat(trident.drain()).isEqualTo(lines("shared", 2));
    }
}
