package io.tally.topology.keyed;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.tally.bolts.event.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Accepted events bound for one partition of a keyed stage, each with where its record was read. A keyed stage is
 * handed a batch as one run per upstream task instead of a tuple per event, so moving events between stages costs
 * Trident a few tuples per batch, not one per event.
 */
public final class EventRun {
    private final List<Event> events;
    private final List<String> sources;
    private long[] positions;

    public EventRun() {
        this(16);
    }

    private EventRun(int capacity) {
        this.events = new ArrayList<>(capacity);
        this.sources = new ArrayList<>(capacity);
        this.positions = new long[capacity];
    }

    public void add(Event event, String source, long position) {
        if (events.size() == positions.length) {
            positions = java.util.Arrays.copyOf(positions, positions.length * 2);
        }
        positions[events.size()] = position;
        events.add(event);
        sources.add(source);
    }

    public int size() {
        return events.size();
    }

    public Event event(int index) {
        return events.get(index);
    }

    public String source(int index) {
        return sources.get(index);
    }

    public long position(int index) {
        return positions[index];
    }

    /** Writes the events with their registered serializer, and each source once per change of source. */
    public static final class KryoSerializer extends Serializer<EventRun> {
        @Override
        public void write(Kryo kryo, Output out, EventRun run) {
            out.writeInt(run.size(), true);
            String lastSource = null;
            for (int i = 0; i < run.size(); i++) {
                String source = run.sources.get(i);
                boolean sameSource = source.equals(lastSource);
                out.writeBoolean(sameSource);
                if (!sameSource) {
                    out.writeString(source);
                    lastSource = source;
                }
                out.writeLong(run.positions[i]);
                kryo.writeObject(out, run.events.get(i));
            }
        }

        @Override
        public EventRun read(Kryo kryo, Input in, Class<? extends EventRun> type) {
            int size = in.readInt(true);
            EventRun run = new EventRun(Math.max(1, size));
            String source = null;
            for (int i = 0; i < size; i++) {
                if (!in.readBoolean()) {
                    source = in.readString();
                }
                long position = in.readLong();
                run.add(kryo.readObject(in, Event.class), source, position);
            }
            return run;
        }
    }
}
