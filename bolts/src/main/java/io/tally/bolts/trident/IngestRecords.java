package io.tally.bolts.trident;

import io.tally.bolts.event.Event;
import io.tally.bolts.ingest.EventIngestor;
import io.tally.bolts.ingest.IngestResult;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.ingest.RejectReason;
import io.tally.bolts.ingest.Rejection;
import io.tally.bolts.transform.CompiledTransforms;
import io.tally.bolts.transform.TransformConfig;
import java.util.Map;
import org.apache.storm.Config;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.metric.api.MultiCountMetric;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;
import org.apache.storm.utils.ObjectReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest tier as a Trident function (parse, validate, then the configured transforms): every raw record in, exactly one tuple out, holding either the
 * accepted {@link Event} or its {@link Rejection}. The input is, by position, the spouts' raw-record fields
 * {@code (payload byte[], source String, position long, received_at long)}.
 *
 * <p>Nothing escapes: a record the parser cannot handle (a bug) becomes an {@code ingest_error} rejection,
 * logged once per task and reason, so one bad record never fails a batch forever or kills a worker.
 */
public final class IngestRecords extends BaseFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(IngestRecords.class);

    public static final String EVENT = "event";
    public static final String REJECTION = "rejection";
    public static final Fields OUTPUT_FIELDS = new Fields(EVENT, REJECTION);

    private final IngestSettings settings;
    private final TransformConfig transformConfig;
    private transient EventIngestor ingestor;
    private transient CompiledTransforms transforms;
    private transient CountMetric accepted;
    private transient MultiCountMetric rejected;
    private transient boolean ingestErrorLogged;

    public IngestRecords(IngestSettings settings, TransformConfig transforms) {
        this.settings = settings;
        this.transformConfig = transforms;
        // Compiled here too, so a bad configuration is refused when the topology is built, not in a worker.
        CompiledTransforms.compile(transforms);
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        ingestor = new EventIngestor(settings);
        transforms = CompiledTransforms.compile(transformConfig);
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
    public void execute(TridentTuple tuple, TridentCollector collector) {
        byte[] payload = tuple.getBinary(0);
        String source = tuple.getString(1);
        long position = tuple.getLong(2);
        long receivedAt = tuple.getLong(3);
        IngestResult result;
        try {
            result = transform(ingestor.ingest(payload, source, position, receivedAt), payload, source, position,
                    receivedAt);
        } catch (RuntimeException e) {
            if (!ingestErrorLogged) {
                LOG.error("Ingest failed on the record at {} position {}; it is kept as an ingest_error rejection"
                        + " (further such failures in this task are counted, not logged)", source, position, e);
                ingestErrorLogged = true;
            }
            result = new IngestResult.Rejected(ingestor.reject(RejectReason.INGEST_ERROR, String.valueOf(e),
                    payload, source, position, receivedAt));
        }
        if (result instanceof IngestResult.Accepted ok) {
            accepted.incr();
            collector.emit(new Values(ok.event(), null));
        } else {
            Rejection rejection = ((IngestResult.Rejected) result).rejection();
            rejected.scope(rejection.reason().code()).incr();
            collector.emit(new Values(null, rejection));
        }
    }
}
