package io.tally.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.local.server.S3Server;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The {@code --s3} sample bucket on the real S3 API server the runner starts: the sample laid out as hourly gzip
 * exports, uploaded once, and read back into what the runner's completion check waits for.
 */
class SampleBucketTest {
    @TempDir
    Path dir;

    @Test
    void theSampleBecomesHourlyExportsOnceAndTheCheckCountsEachEventOnce() {
        EventGenerator generator = new EventGenerator(3L, Instant.parse("2026-11-16T00:00:00Z"), 5, 100);
        List<byte[]> sample = new ArrayList<>();
        Set<String> messageIds = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            GeneratedEvent event = generator.next();
            sample.add(event.json());
            messageIds.add(event.messageId());
        }
        sample.add(sample.get(7)); // a duplicate, as exports have: counted once
        S3Server server = S3Server.start(dir.resolve("s3"), 0);
        try (S3Client s3 = server.client()) {
            SampleBucket.fill(s3, sample, new Console());
            List<S3Object> objects = s3.listObjectsV2(r -> r.bucket(SampleBucket.BUCKET)).contents();
            // The filesystem store lists its folders too, as empty "folder/" objects, which the spout passes over.
            assertThat(objects).extracting(S3Object::key).filteredOn(key -> !key.endsWith("/"))
                    .allMatch(key -> key.matches("segment-logs/sample/2026-11-16/\\d\\d\\.gz")).hasSizeBetween(5, 6);

            SampleBucket.fill(s3, sample.subList(0, 10), new Console());
            assertThat(s3.listObjectsV2(r -> r.bucket(SampleBucket.BUCKET)).contents())
                    .as("a second run leaves the bucket as it is").isEqualTo(objects);

            DistinctRecords expected = new DistinctRecords();
            List<byte[]> read = new ArrayList<>();
            SampleBucket.forEachLine(s3, line -> {
                read.add(line);
                expected.add(line);
            });
            assertThat(read).hasSize(601);
            assertThat(expected.total()).isEqualTo(messageIds.size()).isEqualTo(600);
            expected.add("not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(expected.total()).as("a record without a messageId counts once").isEqualTo(601);
        } finally {
            server.stop();
        }
    }
}
