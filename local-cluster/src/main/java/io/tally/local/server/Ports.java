package io.tally.local.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Choosing and checking the loopback ports servers listen on. */
public final class Ports {
    static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /** A port free right now (0 asks for one); fails naming the option to change when a fixed one is taken. */
    static int claim(int port, String server, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new ServerStartException(server + " cannot start: port " + port + " on " + HOST
                    + " is already in use by another process (another " + server + "?). Stop it, or choose another"
                    + " port with " + option + ".");
        }
    }

    static boolean accepting(int port) {
        return accepting(HOST, port, Duration.ofMillis(200));
    }

    /** Whether a connection to {@code host:port} is accepted within {@code timeout}. */
    public static boolean accepting(String host, int port, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

}
