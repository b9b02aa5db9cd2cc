package io.tally.topology.keyed;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.tally.state.schema.TallyTables;
import io.tally.testsupport.RecordingCollector;
import io.tally.topology.TallyTopology;
import io.tally.topology.aggregate.NameAndBucket;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.util.List;
import java.util.Map;
import org.apache.storm.Config;
import org.apache.storm.serialization.SerializationFactory;
import org.apache.storm.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * The per-user stage's changes reach the counts stage on another worker with their keys intact, through Storm's own
 * Kryo configured as the topology configures it: a key Storm cannot send would fail every batch on a cluster of two
 * workers, and on LocalCluster (one worker, nothing serialized) pass.
 */
class CountChangeSerializationTest {

    @Test
    void everyKindOfCountKeyCrossesWorkersEqualToTheOriginal() {
        TallyConfig config = TallyConfigLoader.withEnvironment(Map.of()).parse("""
                kafka: {bootstrap_servers: 127.0.0.1:9092, topics: [events]}
                transforms: {breakdown_properties: [plan]}
                """);
        Config conf = new Config();
        conf.putAll(Utils.readDefaultConfig());
        conf.putAll(TallyTopology.stormConfig(config));
        Kryo kryo = SerializationFactory.getKryo(conf);

        CountDeltas deltas = new CountDeltas();
        deltas.add(TallyTables.EVENT_COUNTS_BY_HOUR,
                new NameAndBucket("Signed Up", 1_763_632_800_000L), 3);
        deltas.add(TallyTables.PROPERTY_COUNTS_BY_HOUR,
                List.of("Signed Up", "plan", "pro", 1_763_632_800_000L), 2);
        RecordingCollector collector = new RecordingCollector();
        deltas.emit(collector);

        assertThat(collector.emitted()).hasSize(2);
        for (List<Object> change : collector.emitted()) {
            Object key = change.get(1);
            Object received = roundTrip(kryo, key);
            assertThat(received).isEqualTo(key);
            assertThat(received.hashCode()).isEqualTo(key.hashCode());
        }
    }

    private static Object roundTrip(Kryo kryo, Object value) {
        Output out = new Output(1024, -1);
        kryo.writeClassAndObject(out, value);
        return kryo.readClassAndObject(new Input(out.toBytes()));
    }
}
