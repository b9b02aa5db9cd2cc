package io.tally.topology.config;

import java.io.Serializable;

/**
 * How the topology runs batches and how wide it runs. Defaults and checks are those of the {@code topology.*} keys
 * of {@link TallyConfigSchema}.
 *
 * @param workers worker JVMs the topology asks the cluster for
 * @param spoutParallelism tasks per spout; a Kafka partition or a file is read by one task
 * @param parallelism tasks for parsing and for each state's partitions
 * @param maxSpoutPending batches in flight at once
 * @param emitIntervalMillis the least time between two batches
 * @param messageTimeoutSecs how long a batch may take before Trident fails and replays it
 */
public record BatchSettings(int workers, int spoutParallelism, int parallelism, int maxSpoutPending,
        int emitIntervalMillis, int messageTimeoutSecs) implements Serializable {

    public BatchSettings {
        TallyConfigSchema.WORKERS.validate(workers);
        TallyConfigSchema.SPOUT_PARALLELISM.validate(spoutParallelism);
        TallyConfigSchema.PARALLELISM.validate(parallelism);
        TallyConfigSchema.MAX_SPOUT_PENDING.validate(maxSpoutPending);
        TallyConfigSchema.BATCH_EMIT_INTERVAL_MS.validate(emitIntervalMillis);
        TallyConfigSchema.MESSAGE_TIMEOUT_SECS.validate(messageTimeoutSecs);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().workers(workers).spoutParallelism(spoutParallelism).parallelism(parallelism)
                .maxSpoutPending(maxSpoutPending).emitIntervalMillis(emitIntervalMillis)
                .messageTimeoutSecs(messageTimeoutSecs);
    }

    public static final class Builder {
        private int workers = TallyConfigSchema.WORKERS.defaultValue();
        private int spoutParallelism = TallyConfigSchema.SPOUT_PARALLELISM.defaultValue();
        private int parallelism = TallyConfigSchema.PARALLELISM.defaultValue();
        private int maxSpoutPending = TallyConfigSchema.MAX_SPOUT_PENDING.defaultValue();
        private int emitIntervalMillis = TallyConfigSchema.BATCH_EMIT_INTERVAL_MS.defaultValue();
        private int messageTimeoutSecs = TallyConfigSchema.MESSAGE_TIMEOUT_SECS.defaultValue();

        /** Default: {@link TallyConfigSchema#WORKERS}. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * Default: {@link TallyConfigSchema#SPOUT_PARALLELISM}; one task reads every partition with large polls, which
         * on a small machine keeps up with more tasks; raise it with the number of workers.
         */
        public Builder spoutParallelism(int spoutParallelism) {
            this.spoutParallelism = spoutParallelism;
            return this;
        }

        /** Default: {@link TallyConfigSchema#PARALLELISM}. */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Default: {@link TallyConfigSchema#MAX_SPOUT_PENDING}, more than Trident's one, so the next batch is read
         * while the previous one is written to Cassandra; each pending batch holds memory.
         */
        public Builder maxSpoutPending(int maxSpoutPending) {
            this.maxSpoutPending = maxSpoutPending;
            return this;
        }

        /**
         * Default: {@link TallyConfigSchema#BATCH_EMIT_INTERVAL_MS}, far below Trident's 500 ms: with one batch per
         * interval, a long interval caps a spout whatever the batch size.
         */
        public Builder emitIntervalMillis(int emitIntervalMillis) {
            this.emitIntervalMillis = emitIntervalMillis;
            return this;
        }

        /**
         * Default: {@link TallyConfigSchema#MESSAGE_TIMEOUT_SECS}; a batch that has not committed by then is failed
         * and replayed, so it must be long enough for a full batch on a loaded machine.
         */
        public Builder messageTimeoutSecs(int messageTimeoutSecs) {
            this.messageTimeoutSecs = messageTimeoutSecs;
            return this;
        }

        public BatchSettings build() {
            return new BatchSettings(workers, spoutParallelism, parallelism, maxSpoutPending, emitIntervalMillis,
                    messageTimeoutSecs);
        }
    }
}
