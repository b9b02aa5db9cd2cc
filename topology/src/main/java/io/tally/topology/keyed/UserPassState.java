package io.tally.topology.keyed;

import io.tally.state.keyed.FirstSeenState;
import io.tally.state.journey.JourneyState;
import io.tally.state.segment.SegmentProgress;
import java.util.Map;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.state.map.MapState;

/**
 * The state of one partition of the per-user stage: the (user, event, day) keys it has seen, the users' segment
 * progress and their funnel progress. Each may be absent: a segments-only topology counts no distinct users, and a
 * topology without segments (funnels) keeps no segment (funnel) progress.
 */
public final class UserPassState implements State {
    private final FirstSeenState userDays;
    private final MapState<SegmentProgress> segmentProgress;
    private final MapState<JourneyState> userJourneys;

    UserPassState(FirstSeenState userDays, MapState<SegmentProgress> segmentProgress,
            MapState<JourneyState> userJourneys) {
        this.userDays = userDays;
        this.segmentProgress = segmentProgress;
        this.userJourneys = userJourneys;
    }

    /** Each (funnel or retention definition, user)'s state; null without either. */
    public MapState<JourneyState> userJourneys() {
        return userJourneys;
    }

    /** The (user, event, day) keys seen; null when the stage counts no distinct users. */
    public FirstSeenState userDays() {
        return userDays;
    }

    /** Each (segment, user)'s progress; null without segments. */
    public MapState<SegmentProgress> segmentProgress() {
        return segmentProgress;
    }

    void attempt(int attemptId) {
        if (userDays != null) {
            userDays.attempt(attemptId);
        }
    }

    @Override
    public void beginCommit(Long txid) {
        if (userDays != null) {
            userDays.beginCommit(txid);
        }
        if (segmentProgress != null) {
            segmentProgress.beginCommit(txid);
        }
        if (userJourneys != null) {
            userJourneys.beginCommit(txid);
        }
    }

    @Override
    public void commit(Long txid) {
        if (segmentProgress != null) {
            segmentProgress.commit(txid);
        }
        if (userJourneys != null) {
            userJourneys.commit(txid);
        }
        if (userDays != null) {
            userDays.commit(txid);
        }
    }

    /** Makes each partition's state from the factories of its parts (any may be null). */
    public record Factory(StateFactory userDays, StateFactory segmentProgress, StateFactory userJourneys)
            implements StateFactory {
        @Override
        @SuppressWarnings("unchecked")
        public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex,
                int numPartitions) {
            return new UserPassState(
                    userDays == null ? null
                            : (FirstSeenState) userDays.makeState(conf, metrics, partitionIndex, numPartitions),
                    segmentProgress == null ? null
                            : (MapState<SegmentProgress>) segmentProgress.makeState(conf, metrics, partitionIndex,
                                    numPartitions),
                    userJourneys == null ? null
                            : (MapState<JourneyState>) userJourneys.makeState(conf, metrics, partitionIndex,
                                    numPartitions));
        }
    }
}
