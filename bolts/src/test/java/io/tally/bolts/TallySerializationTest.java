package io.tally.bolts;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import io.tally.bolts.ingest.RejectReason;
import io.tally.bolts.ingest.Rejection;
import java.util.List;
import java.util.Map;
import org.apache.storm.Config;
import org.apache.storm.serialization.SerializationFactory;
import org.apache.storm.utils.Utils;
import org.junit.jupiter.api.Test;

/** Events and rejections survive Storm's own Kryo, configured the way the topology configures it. */
class TallySerializationTest {

    @Test
    void eventsAndRejectionsRoundTripThroughStormsKryo() {
        Config conf = new Config();
        conf.putAll(Utils.readDefaultConfig());
        TallySerialization.register(conf);
        Kryo kryo = SerializationFactory.getKryo(conf);

        Event event = new Event(EventType.TRACK, "Order Completed", "m-1", "u-1", null, 1_763_632_800_000L,
                1_763_632_801_000L, Map.of("price", 12.5, "items", List.of(1L, 2L), "coupon", Map.of("code", "X")),
                Map.of("os", Map.of("name", "iOS")), Map.of());
        Rejection rejection = new Rejection(RejectReason.INVALID_UTF8, "bad byte", "kafka:events:2", 77L, 5L, "{\"ty", true);

        assertThat(roundTrip(kryo, event)).isEqualTo(event);
        assertThat(roundTrip(kryo, rejection)).isEqualTo(rejection);
    }

    @Test
    void spoutCoordinatorMetadataReadBackFromZooKeeperCrossesWorkers() {
        Config conf = new Config();
        conf.putAll(Utils.readDefaultConfig());
        TallySerialization.register(conf);
        Kryo kryo = SerializationFactory.getKryo(conf);
        Object kafkaPartitions = org.apache.storm.shade.net.minidev.json.JSONValue.parse(
                "[{\"topic\":\"events\",\"partition\":0},{\"topic\":\"events\",\"partition\":1}]");
        Object files = org.apache.storm.shade.net.minidev.json.JSONValue.parse("[\"dev-1-ino-2\\t/var/log/a.jsonl\\t7\"]");

        assertThat(roundTrip(kryo, kafkaPartitions)).isEqualTo(kafkaPartitions);
        assertThat(roundTrip(kryo, files)).isEqualTo(files);
    }

    private static Object roundTrip(Kryo kryo, Object value) {
        Output out = new Output(1024, -1);
        kryo.writeClassAndObject(out, value);
        return kryo.readClassAndObject(new Input(out.toBytes()));
    }
}
