package io.tally.topology.config;

/**
 * Where the topology serves its metrics for Prometheus: {@code http://<bind>:<port>/metrics} on the worker that runs
 * the metrics consumer task ({@code topology.prometheus_port}, {@code topology.prometheus_bind}).
 */
public record PrometheusEndpoint(String bind, int port) {
    /** Loopback unless an operator opens it: a worker host's metrics are not for every network. */
    public static final String DEFAULT_BIND = "127.0.0.1";

    public PrometheusEndpoint {
        if (bind == null || bind.isBlank()) {
            throw ConfigException.at("topology.prometheus_bind", "must be an address to listen on, e.g. 0.0.0.0");
        }
        if (port < 0 || port > 65_535) {
            throw ConfigException.at("topology.prometheus_port", "must be a port (1-65535, 0: any free one), was " + port);
        }
    }
}
