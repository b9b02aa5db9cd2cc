package io.tally.topology.config;

/**
 * Where the topology serves its metrics for Prometheus: {@code http://<bind>:<port>/metrics} on the worker that runs
 * the metrics consumer task ({@code topology.prometheus_port}, {@code topology.prometheus_bind}).
 */
public record PrometheusEndpoint(String bind, int port) {
    /** Loopback unless an operator opens it: a worker host's metrics are not for every network. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    public PrometheusEndpoint {
        if (bind == null) {
            throw TallyConfigSchema.PROMETHEUS_BIND.problem("must be an address to listen on, e.g. 0.0.0.0");
        }
        TallyConfigSchema.PROMETHEUS_BIND.validate(bind);
        TallyConfigSchema.PROMETHEUS_PORT.validate(port);
    }
}
