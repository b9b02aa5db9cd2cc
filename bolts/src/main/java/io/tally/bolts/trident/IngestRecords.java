package io.tally.bolts.trident;

import io.tally.bolts.event.Event;
import io.tally.bolts.ingest.BackfillSpan;
import io.tally.bolts.ingest.EventIngestor;
import io.tally.bolts.ingest.IngestResult;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.ingest.RejectReason;
import io.tally.bolts.ingest.Rejection;
import io.tally.bolts.transform.CompiledTransforms;
import io.tally.bolts.transform.PayloadRedactor;
import io.tally.bolts.transform.TransformConfig;
import io.tally.spouts.RawRecordFields;
import io.tally.spouts.RecordChunk;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.storm.Config;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.metric.api.MultiCountMetric;
import org.apache.storm.trident.operation.FlatMapFunction;
import org.apache.storm.trident.operation.Operation;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;
import org.apache.storm.utils.ObjectReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest tier as a Trident flat map (parse, validate, then the configured transforms): a spout's
 * {@link RecordChunk} in, and for every record in it, in order, exactly one tuple out: {@link #OUTPUT_FIELDS}, the
 * record's source and position with either the accepted {@link Event} or its {@link Rejection}.
 *
 * <p>Why it takes whole chunks: with a tuple per raw record, then another with the outcome appended, Trident's
 * tuple handling alone was about a tenth of the ingest task's profile; this way each record makes one tuple.
 *
 * <p>A rejected record is stored without the properties the transforms drop ({@link PayloadRedactor}).
 *
 * <p>Nothing escapes: a record the parser cannot handle (a bug) becomes an {@code ingest_error} rejection,
 * logged once per task, so one bad record never fails a batch forever or kills a worker.
 */
public final class IngestRecords implements FlatMapFunction, Operation {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(IngestRecords.class);

    public static final String EVENT = "event";
    public static final String REJECTION = "rejection";
    public static final Fields OUTPUT_FIELDS = new Fields(RawRecordFields.SOURCE, RawRecordFields.POSITION, EVENT,
            REJECTION);

    private final IngestSettings settings;
    private final BackfillSpan backfill;
    private final TransformConfig transformConfig;
    private transient EventIngestor ingestor;
    private transient CompiledTransforms transforms;
    private transient PayloadRedactor redactor;
    /** Records ingested (accepted or rejected) by every task in this JVM, replays included. */
    private static final LongAdder INGESTED_IN_JVM = new LongAdder();

    private transient CountMetric accepted;
    private transient MultiCountMetric rejected;
    private transient boolean ingestErrorLogged;

    /**
     * Records every task of this JVM has ingested (accepted or rejected) since it started, replays included: the
     * local runner's input rate. On a cluster read {@code tally.ingest.accepted} and {@code rejected} instead.
     */
    public static long ingestedInThisJvm() {
        return INGESTED_IN_JVM.sum();
    }

    public IngestRecords(IngestSettings settings, TransformConfig transforms) {
        this(settings, null, transforms);
    }

    /** @param backfill the span a backfill topology counts, or null (see {@link EventIngestor}) */
    public IngestRecords(IngestSettings settings, BackfillSpan backfill, TransformConfig transforms) {
        this.settings = settings;
        this.backfill = backfill;
        this.transformConfig = transforms;
        // Compiled here too, so a bad configuration is refused when the topology is built, not in a worker.
        CompiledTransforms.compile(transforms);
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        ingestor = new EventIngestor(settings, backfill);
        transforms = CompiledTransforms.compile(transformConfig);
        redactor = new PayloadRedactor(transforms.droppedProperties(), settings.maxRecordBytes());
        // Reported with Storm's own metrics period, like every tally.* metric.
        int bucketSeconds = ObjectReader.getInt(conf.get(Config.TOPOLOGY_BUILTIN_METRICS_BUCKET_SIZE_SECS), 60);
        accepted = context.registerMetric("tally.ingest.accepted", new CountMetric(), bucketSeconds);
        rejected = context.registerMetric("tally.ingest.rejected", new MultiCountMetric(), bucketSeconds);
    }

    private IngestResult transform(IngestResult parsed, byte[] payload, String source, long position,
            long receivedAt) {
        if (!(parsed instanceof IngestResult.Accepted accepted)) {
            return parsed;
        }
        CompiledTransforms.Outcome outcome = transforms.apply(accepted.event());
        if (outcome.dropped()) {
            return new IngestResult.Rejected(ingestor.reject(RejectReason.DROPPED_BY_RULE,
                    "dropped by " + outcome.droppedBy(), payload, source, position, receivedAt));
        }
        return outcome.event() == accepted.event() ? parsed : new IngestResult.Accepted(outcome.event());
    }

    @Override
    public Iterable<Values> execute(TridentTuple input) {
        RecordChunk chunk = (RecordChunk) input.getValue(0);
        // Each record is ingested as Trident asks for it, so it goes on downstream while its bytes are still cached.
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < chunk.size();
            }

            @Override
            public Values next() {
                if (next >= chunk.size()) {
                    throw new NoSuchElementException();
                }
                int record = next++;
                return ingest(chunk.payload(record), chunk.source(), chunk.position(record),
                        chunk.receivedAtMillis(record), chunk.readAtMillis());
            }
        };
    }

    private Values ingest(byte[] payload, String source, long position, long receivedAt, long readAt) {
        IngestResult result;
        try {
            result = transform(ingestor.ingest(payload, source, position, receivedAt, readAt), payload, source,
                    position, ingestor.storedReceipt(receivedAt, readAt));
        } catch (RuntimeException e) {
            if (!ingestErrorLogged) {
                LOG.error("Ingest failed on the record at {} position {}; it is kept as an ingest_error rejection"
                        + " (further such failures in this task are counted, not logged)", source, position, e);
                ingestErrorLogged = true;
            }
            result = new IngestResult.Rejected(ingestor.reject(RejectReason.INGEST_ERROR, String.valueOf(e),
                    payload, source, position, ingestor.storedReceipt(receivedAt, readAt)));
        }
        INGESTED_IN_JVM.increment();
        if (result instanceof IngestResult.Accepted ok) {
            accepted.incr();
            return new Values(source, position, ok.event(), null);
        }
        Rejection rejection = redacted(((IngestResult.Rejected) result).rejection(), payload);
        rejected.scope(rejection.reason().code()).incr();
        return new Values(source, position, null, rejection);
    }

    /** The rejection with its stored payload cut from the record with the dropped properties taken out. */
    private Rejection redacted(Rejection rejection, byte[] payload) {
        if (!redactor.active()) {
            return rejection;
        }
        PayloadRedactor.Redacted redacted = redactor.redact(payload);
        if (redacted.withheld()) {
            return new Rejection(rejection.reason(), rejection.detail(), rejection.source(), rejection.position(),
                    rejection.receivedAtMillis(), PayloadRedactor.WITHHELD, true);
        }
        return ingestor.reject(rejection.reason(), rejection.detail(), redacted.payload(), rejection.source(),
                rejection.position(), rejection.receivedAtMillis());
    }

    @Override
    public void cleanup() {
    }
}
