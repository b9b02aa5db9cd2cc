package io.tally.bolts;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import io.tally.bolts.ingest.RejectReason;
import io.tally.bolts.ingest.Rejection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.storm.Config;
import org.apache.storm.shade.net.minidev.json.JSONArray;
import org.apache.storm.shade.net.minidev.json.JSONObject;

/**
 * How Tally's values cross between workers. Storm requires every class sent over the wire to be registered
 * with Kryo; these serializers write the fields explicitly so the wire format does not depend on field order
 * or on which Map implementation a parser produced.
 */
public final class TallySerialization {
    private TallySerialization() {
    }

    public static void register(Config conf) {
        conf.registerSerialization(Event.class, EventSerializer.class);
        conf.registerSerialization(Rejection.class, RejectionSerializer.class);
        // A spout coordinator restarted in another worker reads its last batch's metadata back from ZooKeeper as
        // Storm's JSON types and sends them to the spout tasks; unregistered, that kills the worker on every start.
        conf.registerSerialization(JSONArray.class);
        conf.registerSerialization(JSONObject.class);
    }

    /** Writes an event's scalar fields directly and its JSON maps as JSON. */
    public static final class EventSerializer extends Serializer<Event> {
        // Integers come back as Long, as the parser produced them, so events compare equal across workers.
        private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
        private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
        };

        @Override
        public void write(Kryo kryo, Output out, Event event) {
            out.writeString(event.type().name());
            out.writeString(event.countName());
            out.writeString(event.messageId());
            out.writeString(event.userId());
            out.writeString(event.anonymousId());
            out.writeLong(event.timestampMillis());
            out.writeLong(event.receivedAtMillis());
            writeMap(out, event.properties());
            writeMap(out, event.context());
            writeMap(out, event.traits());
        }

        @Override
        public Event read(Kryo kryo, Input in, Class<? extends Event> type) {
            return new Event(EventType.valueOf(in.readString()), in.readString(), in.readString(), in.readString(),
                    in.readString(), in.readLong(), in.readLong(), readMap(in), readMap(in), readMap(in));
        }

        private static void writeMap(Output out, Map<String, Object> map) {
            try {
                byte[] bytes = JSON.writeValueAsBytes(map);
                out.writeInt(bytes.length, true);
                out.writeBytes(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException("an event's JSON values cannot fail to serialize", e);
            }
        }

        private static Map<String, Object> readMap(Input in) {
            try {
                return JSON.readValue(in.readBytes(in.readInt(true)), MAP);
            } catch (IOException e) {
                throw new UncheckedIOException("corrupt event on the wire", e);
            }
        }
    }

    public static final class RejectionSerializer extends Serializer<Rejection> {
        @Override
        public void write(Kryo kryo, Output out, Rejection rejection) {
            out.writeString(rejection.reason().name());
            out.writeString(rejection.detail());
            out.writeString(rejection.source());
            out.writeLong(rejection.position());
            out.writeLong(rejection.receivedAtMillis());
            out.writeString(rejection.payload());
            out.writeBoolean(rejection.truncated());
        }

        @Override
        public Rejection read(Kryo kryo, Input in, Class<? extends Rejection> type) {
            return new Rejection(RejectReason.valueOf(in.readString()), in.readString(), in.readString(),
                    in.readLong(), in.readLong(), in.readString(), in.readBoolean());
        }
    }
}
