package io.tally.state.cassandra.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tally.state.cassandra.HeldValues;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowRoute;
import io.tally.state.keyed.KeyRouting;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.storm.trident.state.OpaqueValue;
import org.apache.storm.trident.state.map.IBackingMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An opaque map state's values held in the worker's memory between writes to their table: each batch's changed
 * values are logged to Cassandra as one row per partition (a few parts for a large batch), and written to their
 * table rows once per flush interval, however many batches changed them in between. A flush is started by the batch
 * that finds the interval passed, or after the commit of one (see {@link #committed}), and runs on a thread of its
 * own: the batch hands it the values changed so far and goes on, so no batch waits for the table unless a flush is
 * due by memory while the previous one still runs.
 *
 * <h2>Why it stays exactly once</h2>
 * Every value it holds or logs is the {@link OpaqueValue} an ordinary opaque map would have written to the row at
 * that batch: the value, the txid of the batch that wrote it, and the value before that batch. A key's value is
 * therefore always the one with the highest txid among its table row and its logged entries, and a replayed batch
 * finds the value of its first attempt, whichever of the two holds it, and starts again from the value before.
 * <ul>
 *   <li>A batch's values are durable in the log before {@link #multiPut} returns, as they would be in the table;
 *       a failed write fails the batch, which Trident replays.</li>
 *   <li>The log rows are written under a run id that changes at each flush. A flush takes the values changed since
 *       the last one, writes them to the table, and then deletes the log rows of the run ids it replaced, which hold
 *       no entry it did not take (a value's later change is a later entry, logged under the next id): a crash
 *       between the two leaves log entries the table already holds, which the next restore recognises by their
 *       txids. A replay of a batch whose flush is still running logs under the next id, so the flush's deletion
 *       never reaches it.</li>
 *   <li>Until its flush has written them, the values it took are still held and answered from memory; one flush runs
 *       at a time, so a key's older value never reaches the table after its newer one. A flush that fails hands its
 *       values back to the next one, and its log rows stay until one succeeds.</li>
 *   <li>The flush stops between its writes once the thread that ran the state's batches has ended (the topology was
 *       killed or rebalanced in this JVM), so that a stopped run does not overwrite with older values what its
 *       successor, restored from the same log, has written since.</li>
 *   <li>A new run (a restart, a kill -9, a rebalance, a redeploy) first reads every log row of the store, keeps the
 *       entries of the keys the current routing sends to this partition whose txid is above their table row's, and
 *       holds them as changed, so its first flush writes them. Rows whose every entry the table already holds (or
 *       holds newer) are deleted; the others stay until the partition owning their keys has flushed them, and a later
 *       restore deletes them. Deletions that a replica missed may return; they are recognised again, so the table's
 *       {@code gc_grace_seconds} can be short.</li>
 * </ul>
 * Each partition writes under ids of its own, so a flush never deletes a row whose keys another partition still
 * needs.
 *
 * <h2>Bounded memory</h2>
 * The values held, changed since the last flush or not, weigh ({@link #weight}) at most {@code memoryBytes}: the
 * changed ones are those of one flush interval (and of the flush still writing them), and a flush also starts when they
 * weigh half the budget; the values the table already holds (read, or flushed) are cached in what the changed ones
 * leave of it. Past it the least recently
 * used leave memory, and are read from the table when asked for again: the budget trades reads for memory, never
 * exactness.
 */
public final class WriteBehindBackingMap<T> implements HeldValues<T> {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBehindBackingMap.class);
    /** Log rows are cut below this many bytes of entries, well inside Cassandra's mutation size limit. */
    static final int MAX_PART_BYTES = 512 * 1024;
    private static final int ABSENT = -1;
    private static final byte TEXT = 0;
    private static final byte LONG = 1;
    private static final byte INT = 2;

    /** Where the changed values are logged between flushes. */
    public interface ValueLog {
        /** One logged row: its run, batch and part, and its encoded entries. */
        record LoggedPart(UUID run, long txid, int part, ByteBuffer entries) {
        }

        /** Logs one batch's entries of one run: durable when this returns, or it throws and the batch fails. */
        void append(String store, UUID run, long txid, List<ByteBuffer> parts);

        /** Every row of {@code store}, of every run. */
        List<LoggedPart> readAll(String store);

        /** Deletes {@code run}'s rows. */
        void deleteRun(String store, UUID run);

        /** Deletes these rows. */
        void delete(String store, List<LoggedPart> parts);
    }

    /** A table's rows as a flush writes them: prepared on the batch's thread, written on the flush's. */
    public interface TableRows<T> extends IBackingMap<OpaqueValue<T>> {
        /**
         * Does on the calling thread what must precede the write (such as noting which keys are written), and
         * returns the write, which may run on another thread, concurrently with this map's reads.
         */
        default Runnable prepareWrite(List<List<Object>> keys, List<OpaqueValue<T>> values) {
            return () -> multiPut(keys, values);
        }
    }

    /** Where flushes run, off the batch's thread. */
    public interface Flusher {
        /** Starts {@code writes}; the future completes when they have, or failed. */
        CompletableFuture<Void> start(Runnable writes);

        /** Runs each flush on the caller's thread, so that the flush is done when {@link #start} returns. */
        Flusher ON_CALLING_THREAD = writes -> {
            try {
                writes.run();
                return CompletableFuture.completedFuture(null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };

        /** Runs flushes on a daemon thread of this name, which ends when idle and starts again with the next. */
        static Flusher onThreadNamed(String name) {
            ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), writes -> {
                        Thread flushing = new Thread(writes, name);
                        flushing.setDaemon(true);
                        return flushing;
                    });
            thread.allowCoreThreadTimeOut(true);
            return writes -> CompletableFuture.runAsync(writes, thread);
        }
    }

    /** A flush under way: the values it took, what they weigh, and the log runs it deletes once they are written. */
    private record Flush<T>(Map<List<Object>, Held<T>> values, long bytes, List<UUID> logRuns,
            CompletableFuture<Void> done, long startedNanos) {
    }

    /** A flush writes at most this many keys per call to the table, and stops between calls once its run ended. */
    static final int FLUSH_CHUNK_KEYS = 10_000;

    private final String store;
    private final MapTable<T> table;
    private final TableRows<T> rows;
    private final IBackingMap<OpaqueValue<T>> everyRow;
    private final ValueLog log;
    private final RowRoute route;
    private final int partition;
    private final int partitions;
    private final long flushEveryMillis;
    private final long memoryBytes;
    private long unflushedBytes;
    private final LongSupplier clock;
    private final Flusher flusher;
    /** The id this partition logs under until its next flush starts. */
    private UUID logRun = UUID.randomUUID();
    /** Log runs whose flush failed: the next flush writes their values again, then deletes them. */
    private final List<UUID> logRunsOfFailedFlushes = new ArrayList<>();
    /** Values changed since the last flush started: in the log, not yet in the table. */
    private Map<List<Object>, Held<T>> unflushed = new HashMap<>();
    /** The flush under way, or null. */
    private Flush<T> flushing;
    /** The thread that runs this partition's batches, set at its first. */
    private Thread batchThread;
    /** Values the table holds, recently read or flushed, weighed ({@link #weight}) up to the memory budget. */
    private final Cache<List<Object>, Held<T>> clean;
    private boolean restored;
    private long lastFlushMillis;

    /**
     * @param store the log's name for this state, unique per topology and table
     * @param rows the table's rows, where a flush writes and a key not held is read; may answer another partition's
     *     keys as absent without reading them ({@link KnownRowKeys})
     * @param everyRow the table's rows as they are, where a restore checks the log's keys, this partition's or not
     * @param route the route of a row key ({@link MapTable#keyColumns()} values), as the topology sends its keys
     * @param flusher where the flushes run
     */
    public WriteBehindBackingMap(String store, MapTable<T> table, TableRows<T> rows,
            IBackingMap<OpaqueValue<T>> everyRow, ValueLog log, RowRoute route, int partition, int partitions,
            long flushEveryMillis, long memoryBytes, LongSupplier clock, Flusher flusher) {
        if (flushEveryMillis <= 0 || memoryBytes <= 0) {
            throw new IllegalArgumentException("a flush interval and a memory budget must be positive, were "
                    + flushEveryMillis + " ms and " + memoryBytes + " bytes");
        }
        // Evictions run on the calling thread, within the batch that passed the budget.
        this.clean = Caffeine.newBuilder().maximumWeight(memoryBytes)
                .weigher((List<Object> key, Held<T> held) -> held.weight()).executor(Runnable::run).build();
        this.store = store;
        this.table = table;
        this.rows = rows;
        this.everyRow = everyRow;
        this.log = log;
        this.route = route;
        this.partition = partition;
        this.partitions = partitions;
        this.flushEveryMillis = flushEveryMillis;
        this.memoryBytes = memoryBytes;
        this.clock = clock;
        this.flusher = flusher;
    }

    /**
     * A partition with no table or log behind it, which holds every value put and never flushes: what its values take
     * on the heap, beside their {@link #weight}, is what {@code UserStateMemoryBenchmark} (benchmarks) measures.
     */
    public static <T> WriteBehindBackingMap<T> detached(MapTable<T> table) {
        return new WriteBehindBackingMap<>(table.name(), table, new NoRows<>(), new NoRows<>(), new NoLog(),
                rowKey -> 0, 0, 1, Long.MAX_VALUE, Long.MAX_VALUE, () -> 0L, Flusher.ON_CALLING_THREAD);
    }

    /** A table that holds nothing, so that every value stays in memory. */
    private static final class NoRows<T> implements TableRows<T> {
        @Override
        @SuppressWarnings("unchecked") // an array of a generic type is created raw
        public List<OpaqueValue<T>> multiGet(List<List<Object>> keys) {
            return Arrays.asList(new OpaqueValue[keys.size()]);
        }

        @Override
        public void multiPut(List<List<Object>> keys, List<OpaqueValue<T>> values) {
        }
    }

    /** A log that keeps nothing. */
    private static final class NoLog implements ValueLog {
        @Override
        public void append(String store, UUID run, long txid, List<ByteBuffer> parts) {
        }

        @Override
        public List<LoggedPart> readAll(String store) {
            return List.of();
        }

        @Override
        public void deleteRun(String store, UUID run) {
        }

        @Override
        public void delete(String store, List<LoggedPart> parts) {
        }
    }

    @Override
    public List<OpaqueValue<T>> multiGet(List<List<Object>> keys) {
        restoreOnce();
        finishFlushIfDone();
        List<OpaqueValue<T>> values = new ArrayList<>(keys.size());
        List<List<Object>> toRead = new ArrayList<>();
        List<Integer> readAt = new ArrayList<>();
        for (List<Object> key : keys) {
            Held<T> held = unflushed.get(key);
            if (held == null && flushing != null) {
                held = flushing.values().get(key);
            }
            if (held == null) {
                held = clean.getIfPresent(key);
            }
            if (held == null) {
                toRead.add(key);
                readAt.add(values.size());
            }
            values.add(held == null ? null : held.value());
        }
        if (!toRead.isEmpty()) {
            List<OpaqueValue<T>> read = rows.multiGet(toRead);
            for (int i = 0; i < readAt.size(); i++) {
                OpaqueValue<T> value = read.get(i);
                values.set(readAt.get(i), value);
                if (value != null) {
                    List<Object> key = toRead.get(i);
                    clean.put(key, new Held<>(value, weight(key, value)));
                }
            }
        }
        return values;
    }

    @Override
    public void multiPut(List<List<Object>> keys, List<OpaqueValue<T>> values) {
        restoreOnce();
        finishFlushIfDone();
        if (keys.isEmpty()) {
            return;
        }
        long txid = Long.MIN_VALUE;
        for (OpaqueValue<T> value : values) {
            txid = Math.max(txid, value.getCurrTxid());
        }
        int[] encodedBytes = new int[keys.size()];
        log.append(store, logRun, txid, encode(keys, values, encodedBytes));
        for (int i = 0; i < keys.size(); i++) {
            hold(keys.get(i), new Held<>(values.get(i), weight(keys.get(i), encodedBytes[i])));
        }
        clean.invalidateAll(keys);
        if (unflushedBytes >= memoryBytes / 2) {
            if (flushing != null) {
                awaitFlush();
            }
            startFlush();
        } else if (flushing == null && flushDue()) {
            startFlush();
        } else {
            fitCleanValues();
        }
    }

    /**
     * Flushes when due after batch {@code txid} committed, so that the table catches up while batches bring this
     * partition no keys.
     */
    public void committed(long txid) {
        if (!restored) {
            return;
        }
        finishFlushIfDone();
        if (flushing == null && !unflushed.isEmpty() && flushDue()) {
            startFlush();
        }
    }

    private boolean flushDue() {
        return clock.getAsLong() - lastFlushMillis >= flushEveryMillis;
    }

    /** What the values held in memory weigh ({@link #weight}), changed or not. */
    @Override
    public long heldBytes() {
        long bytes = clean.policy().eviction().orElseThrow().weightedSize().orElse(0);
        return bytes + unflushedBytes + (flushing == null ? 0 : flushing.bytes());
    }

    /** How many changed keys the table does not hold yet, in the flush under way or waiting for the next. */
    @Override
    public int unflushed() {
        return unflushed.size() + (flushing == null ? 0 : flushing.values().size());
    }

    /**
     * Hands the values changed so far to a flush, and logs the next batches under a new id. The writes are prepared
     * here, on the batch's thread, and sent on the flush's.
     */
    private void startFlush() {
        Map<List<Object>, Held<T>> taken = unflushed;
        long takenBytes = unflushedBytes;
        List<UUID> logRuns = new ArrayList<>(logRunsOfFailedFlushes);
        logRuns.add(logRun);
        logRunsOfFailedFlushes.clear();
        unflushed = new HashMap<>();
        unflushedBytes = 0;
        logRun = UUID.randomUUID();
        lastFlushMillis = clock.getAsLong();
        List<List<Object>> keys = new ArrayList<>(taken.keySet());
        List<Runnable> writes = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += FLUSH_CHUNK_KEYS) {
            List<List<Object>> chunk = keys.subList(from, Math.min(keys.size(), from + FLUSH_CHUNK_KEYS));
            List<OpaqueValue<T>> values = new ArrayList<>(chunk.size());
            chunk.forEach(key -> values.add(taken.get(key).value()));
            writes.add(rows.prepareWrite(chunk, values));
        }
        Thread owner = batchThread;
        CompletableFuture<Void> done = flusher.start(() -> {
            for (Runnable write : writes) {
                if (!owner.isAlive()) {
                    throw new IllegalStateException("the thread that ran its batches has ended");
                }
                write.run();
            }
            logRuns.forEach(run -> log.deleteRun(store, run));
        });
        flushing = new Flush<>(taken, takenBytes, logRuns, done, System.nanoTime());
        fitCleanValues();
    }

    private void finishFlushIfDone() {
        if (flushing != null && flushing.done().isDone()) {
            awaitFlush();
        }
    }

    /** Waits for the flush under way, then caches its values as the table's, or hands them to the next flush. */
    private void awaitFlush() {
        Flush<T> flush = flushing;
        flushing = null;
        try {
            flush.done().join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.warn("{} partition {} of {}: a flush of {} values to {} failed; the next flush writes them: {}", store,
                    partition, partitions, flush.values().size(), table.name(), cause.toString());
            flush.values().forEach((key, held) -> {
                if (!unflushed.containsKey(key)) {
                    hold(key, held);
                }
            });
            logRunsOfFailedFlushes.addAll(flush.logRuns());
            fitCleanValues();
            return;
        }
        LOG.info("{} partition {} of {} flushed {} values to {} in {} ms", store, partition, partitions,
                flush.values().size(), table.name(), (System.nanoTime() - flush.startedNanos()) / 1_000_000);
        fitCleanValues();
        flush.values().forEach((key, held) -> {
            if (!unflushed.containsKey(key)) {
                clean.put(key, held);
            }
        });
    }

    private void restoreOnce() {
        if (restored) {
            return;
        }
        batchThread = Thread.currentThread();
        long started = System.nanoTime();
        List<ValueLog.LoggedPart> parts = log.readAll(store);
        Map<List<Object>, OpaqueValue<T>> newest = new HashMap<>();
        List<List<Entry<T>>> entriesByPart = new ArrayList<>(parts.size());
        for (ValueLog.LoggedPart part : parts) {
            List<Entry<T>> entries = decode(part.entries());
            entriesByPart.add(entries);
            for (Entry<T> entry : entries) {
                newest.merge(entry.key(), entry.value(),
                        (a, b) -> a.getCurrTxid() >= b.getCurrTxid() ? a : b);
            }
        }
        List<List<Object>> keys = new ArrayList<>(newest.keySet());
        Map<List<Object>, Long> tableTxids = new HashMap<>();
        if (!keys.isEmpty()) {
            List<OpaqueValue<T>> inTable = everyRow.multiGet(keys);
            for (int i = 0; i < keys.size(); i++) {
                OpaqueValue<T> row = inTable.get(i);
                if (row != null && row.getCurrTxid() != null) {
                    tableTxids.put(keys.get(i), row.getCurrTxid());
                }
            }
        }
        int kept = 0;
        for (List<Object> key : keys) {
            OpaqueValue<T> value = newest.get(key);
            if (value.getCurrTxid() > tableTxids.getOrDefault(key, Long.MIN_VALUE) && ownsKey(key)) {
                hold(key, new Held<>(value, weight(key, value)));
                kept++;
            }
        }
        List<ValueLog.LoggedPart> obsolete = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            boolean held = true;
            for (Entry<T> entry : entriesByPart.get(i)) {
                held &= entry.value().getCurrTxid() <= tableTxids.getOrDefault(entry.key(), Long.MIN_VALUE);
            }
            if (held) {
                obsolete.add(parts.get(i));
            }
        }
        if (!obsolete.isEmpty()) {
            log.delete(store, obsolete);
        }
        restored = true;
        lastFlushMillis = clock.getAsLong();
        if (!parts.isEmpty()) {
            LOG.info("{} partition {} of {} restored {} unflushed values from {} log rows ({} keys, {} rows deleted as"
                            + " already in the table) in {} ms", store, partition, partitions, kept, parts.size(),
                    keys.size(), obsolete.size(), (System.nanoTime() - started) / 1_000_000);
        }
    }

    private void hold(List<Object> key, Held<T> held) {
        Held<T> replaced = unflushed.put(key, held);
        unflushedBytes += held.weight() - (replaced == null ? 0 : replaced.weight());
    }

    /** Leaves the values the table holds what the changed values, flushing or not, leave of the budget. */
    private void fitCleanValues() {
        long changedBytes = unflushedBytes + (flushing == null ? 0 : flushing.bytes());
        clean.policy().eviction().orElseThrow().setMaximum(Math.max(0, memoryBytes - changedBytes));
    }

    private boolean ownsKey(List<Object> key) {
        return KeyRouting.partition(route.of(table.keyMapper().toColumns(key)), partitions) == partition;
    }

    private record Entry<T>(List<Object> key, OpaqueValue<T> value) {
    }

    /** A value held in memory, with its {@link #weight}. */
    private record Held<T>(OpaqueValue<T> value, int weight) {
    }

    /**
     * What a value held in memory is counted as weighing: the headers of the map entry, the key's list and elements,
     * the opaque value and the decoded values, the key's characters, and the decoded values at three times their
     * encoded bytes (their objects and references); an estimate that errs high, checked against the heap by
     * {@code UserStateMemoryBenchmark} (benchmarks).
     */
    private static int weight(List<Object> key, int encodedValueBytes) {
        int keyBytes = 0;
        for (Object element : key) {
            keyBytes += element instanceof String text ? 48 + text.length() : 24;
        }
        return 128 + keyBytes + 3 * encodedValueBytes;
    }

    private int weight(List<Object> key, OpaqueValue<T> value) {
        int bytes = 0;
        if (value.getCurr() != null) {
            bytes += table.codec().serialize(value.getCurr()).length;
        }
        if (value.getPrev() != null) {
            bytes += table.codec().serialize(value.getPrev()).length;
        }
        return weight(key, bytes);
    }

    /**
     * Each part: the number of entries, then each entry's key (its element count, then each element's type and
     * value), the txid of the batch that wrote it, and its value and the value before that batch (each its length,
     * {@value #ABSENT} for none, then the codec's bytes).
     */
    List<ByteBuffer> encode(List<List<Object>> keys, List<OpaqueValue<T>> values, int[] valueBytes) {
        List<ByteBuffer> parts = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        int count = 0;
        try {
            for (int i = 0; i < keys.size(); i++) {
                writeKey(out, keys.get(i));
                OpaqueValue<T> value = values.get(i);
                out.writeLong(value.getCurrTxid());
                valueBytes[i] = writeValue(out, value.getCurr()) + writeValue(out, value.getPrev());
                count++;
                if (bytes.size() >= MAX_PART_BYTES) {
                    parts.add(part(bytes, count));
                    bytes.reset();
                    count = 0;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (count > 0 || parts.isEmpty()) {
            parts.add(part(bytes, count));
        }
        return parts;
    }

    private static ByteBuffer part(ByteArrayOutputStream bytes, int count) {
        ByteBuffer part = ByteBuffer.allocate(4 + bytes.size());
        part.putInt(count).put(bytes.toByteArray()).flip();
        return part;
    }

    private void writeKey(DataOutputStream out, List<Object> key) throws IOException {
        out.writeByte(key.size());
        for (Object element : key) {
            if (element instanceof String text) {
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                out.writeByte(TEXT);
                out.writeInt(utf8.length);
                out.write(utf8);
            } else if (element instanceof Long number) {
                out.writeByte(LONG);
                out.writeLong(number);
            } else if (element instanceof Integer number) {
                out.writeByte(INT);
                out.writeInt(number);
            } else {
                throw new IllegalArgumentException(store + ": a write-behind state's keys hold text and whole numbers"
                        + " only, not " + (element == null ? "null" : element.getClass().getName()));
            }
        }
    }

    /** @return the value's encoded bytes */
    private int writeValue(DataOutputStream out, T value) throws IOException {
        if (value == null) {
            out.writeInt(ABSENT);
            return 0;
        }
        byte[] encoded = table.codec().serialize(value);
        out.writeInt(encoded.length);
        out.write(encoded);
        return encoded.length;
    }

    List<Entry<T>> decode(ByteBuffer part) {
        ByteBuffer in = part.duplicate();
        int count = in.getInt();
        List<Entry<T>> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int size = in.get();
            List<Object> key = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                byte type = in.get();
                switch (type) {
                    case TEXT -> {
                        byte[] utf8 = new byte[in.getInt()];
                        in.get(utf8);
                        key.add(new String(utf8, StandardCharsets.UTF_8));
                    }
                    case LONG -> key.add(in.getLong());
                    case INT -> key.add(in.getInt());
                    default -> throw new IllegalStateException(store + ": unknown key element type " + type
                            + " in " + CassandraValueLog.TABLE);
                }
            }
            long txid = in.getLong();
            T current = readValue(in);
            T previous = readValue(in);
            entries.add(new Entry<>(List.copyOf(key), new OpaqueValue<>(txid, current, previous)));
        }
        return entries;
    }

    private T readValue(ByteBuffer in) {
        int length = in.getInt();
        if (length == ABSENT) {
            return null;
        }
        ByteBuffer value = in.slice(in.position(), length);
        in.position(in.position() + length);
        return table.codec().deserialize(value);
    }
}
