package io.tally.topology.config;

import java.io.Serializable;

/**
 * How the topology runs batches and how wide it runs. Every default is on {@link Builder}.
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
        positive(workers, "topology.workers");
        positive(spoutParallelism, "topology.spout_parallelism");
        positive(parallelism, "topology.parallelism");
        positive(maxSpoutPending, "topology.max_spout_pending");
        positive(emitIntervalMillis, "topology.batch_emit_interval_ms");
        positive(messageTimeoutSecs, "topology.message_timeout_secs");
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().workers(workers).spoutParallelism(spoutParallelism).parallelism(parallelism)
                .maxSpoutPending(maxSpoutPending).emitIntervalMillis(emitIntervalMillis)
                .messageTimeoutSecs(messageTimeoutSecs);
    }

    private static void positive(int value, String key) {
        if (value <= 0) {
            throw ConfigException.at(key, "must be a positive integer, was " + value);
        }
    }

    public static final class Builder {
        private int workers = 1;
        private int spoutParallelism = 1;
        private int parallelism = 1;
        private int maxSpoutPending = 2;
        private int emitIntervalMillis = 10;
        private int messageTimeoutSecs = 120;

        /** Default 1. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /**
         * Default 1: one task reads every partition with large polls, which on 2 cores was as fast as
         * more tasks; raise it with the number of workers.
         */
        public Builder spoutParallelism(int spoutParallelism) {
            this.spoutParallelism = spoutParallelism;
            return this;
        }

        /** Default 1. */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Default 2 (Trident's is 1): the next batch is read while the previous one is written to
         * Cassandra. Above 3 nothing was gained, and each pending batch holds memory.
         */
        public Builder maxSpoutPending(int maxSpoutPending) {
            this.maxSpoutPending = maxSpoutPending;
            return this;
        }

        /**
         * Default 10 ms (Trident's is 500 ms): with one batch per interval, 500 ms caps a spout near
         * a thousand events a second whatever the batch size.
         */
        public Builder emitIntervalMillis(int emitIntervalMillis) {
            this.emitIntervalMillis = emitIntervalMillis;
            return this;
        }

        /**
         * Default 120 s: a batch that has not committed by then is failed and replayed. Long enough
         * for a 100,000-record batch on a loaded machine.
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
