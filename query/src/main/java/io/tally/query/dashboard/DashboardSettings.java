package io.tally.query.dashboard;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Where the dashboard listens and who may read it ({@code dashboard:} in tally.yaml), and the breakdown properties
 * it may be asked about (the topology's {@code transforms.breakdown_properties}).
 *
 * @param user with {@code password}, the basic-auth credentials every request must carry; null: none asked
 */
public record DashboardSettings(String bind, int port, String user, String password,
        List<String> breakdownProperties) implements Serializable {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8089;

    public DashboardSettings {
        Objects.requireNonNull(bind, "bind");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is not a port (0-65535)");
        }
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("basic_auth needs both user and password");
        }
        breakdownProperties = List.copyOf(breakdownProperties);
    }

    public static DashboardSettings defaults() {
        return new DashboardSettings(DEFAULT_BIND, DEFAULT_PORT, null, null, List.of());
    }

    public DashboardSettings withBreakdownProperties(List<String> properties) {
        return new DashboardSettings(bind, port, user, password, properties);
    }

    public DashboardSettings withPort(int newPort) {
        return new DashboardSettings(bind, newPort, user, password, breakdownProperties);
    }

    public boolean basicAuth() {
        return user != null;
    }

    /** Never shows the password (settings are printed and logged). */
    @Override
    public String toString() {
        return "DashboardSettings{bind=" + bind + ", port=" + port + (user == null ? "" : ", basic_auth user=" + user
                + " password=***") + ", breakdownProperties=" + breakdownProperties + "}";
    }
}
