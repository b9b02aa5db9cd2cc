package io.tally.spouts;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordChunkTest {
    private static RecordChunk chunkOf(String source, String... payloads) {
        RecordChunk.Builder builder = new RecordChunk.Builder();
        for (int i = 0; i < payloads.length; i++) {
            builder.add(payloads[i].getBytes(StandardCharsets.UTF_8), source, 100L + i, 5000L + i);
        }
        return builder.build(77_000L);
    }

    @Test
    void aChunkCrossesBetweenWorkersWithEveryRecordIntact() {
        RecordChunk sent = chunkOf("kafka:events:3", "{\"a\":1}", "", "ü");
        Kryo kryo = new Kryo();
        kryo.register(RecordChunk.class, new RecordChunk.KryoSerializer());
        Output out = new Output(1024, -1);
        kryo.writeObject(out, sent);
        RecordChunk received = kryo.readObject(new Input(out.toBytes()), RecordChunk.class);

        assertThat(received.source()).isEqualTo("kafka:events:3");
        assertThat(received.size()).isEqualTo(3);
        assertThat(received.readAtMillis()).isEqualTo(77_000L);
        for (int i = 0; i < 3; i++) {
            assertThat(received.payload(i)).isEqualTo(sent.payload(i));
            assertThat(received.position(i)).isEqualTo(100L + i);
            assertThat(received.receivedAtMillis(i)).isEqualTo(5000L + i);
        }
    }

    @Test
    void aBuilderTakesOneSourceAndAtMostAChunksWorth() {
        RecordChunk.Builder builder = new RecordChunk.Builder();
        builder.add(new byte[0], "a", 0, 0);
        assertThat(builder.accepts("b")).isFalse();
        for (int i = 1; i < RecordChunk.MAX_RECORDS; i++) {
            builder.add(new byte[0], "a", i, 0);
        }
        assertThat(builder.accepts("a")).isFalse();
        assertThat(builder.build(0).size()).isEqualTo(RecordChunk.MAX_RECORDS);
        assertThat(builder.isEmpty()).isTrue();
        assertThat(builder.accepts("b")).isTrue();
    }
}
