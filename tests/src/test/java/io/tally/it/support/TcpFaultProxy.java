package io.tally.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 in front of one server, which a test switches between three behaviours of a network:
 * {@linkplain #passThrough() passing bytes on}, {@linkplain #delay(Duration) delaying every chunk} (a slow link or an
 * overloaded server), and {@linkplain #resetConnections() resetting every connection}, open or new (a firewall or a
 * crashed load balancer in between). Plain blocking sockets: each connection has a thread per direction reading
 * and a thread per direction writing, so a delay holds data back without slowing the reading side.
 */
public final class TcpFaultProxy implements AutoCloseable {
    private static final int CHUNK_BYTES = 64 * 1024;

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-tcp-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionsReset = new AtomicLong();
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean resetting;

    private TcpFaultProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
    }

    /** Listens on a free port of 127.0.0.1, passing every connection on to {@code target}. */
    public static TcpFaultProxy start(InetSocketAddress target) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TcpFaultProxy proxy = new TcpFaultProxy(target, listener);
        proxy.threads.execute(proxy::acceptConnections);
        return proxy;
    }

    /** {@code 127.0.0.1:<port>}, the address clients use instead of the server's. */
    public String hostAndPort() {
        return listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort();
    }

    /** Bytes go through as they come. */
    public void passThrough() {
        resetting = false;
        delay = Duration.ZERO;
    }

    /** Every chunk read from either side is written to the other {@code perChunk} later, in order. */
    public void delay(Duration perChunk) {
        resetting = false;
        delay = perChunk;
    }

    /**
     * Resets (TCP RST, both sides) every open connection, and every new one as soon as it is accepted, until
     * {@link #passThrough} or {@link #delay}.
     */
    public void resetConnections() {
        resetting = true;
        for (Link link : links) {
            link.reset();
        }
    }

    /**
     * Connections ended with a reset so far: open ones and new ones reset by {@link #resetConnections}, and those a
     * side broke off.
     */
    public long connectionsReset() {
        return connectionsReset.get();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        links.forEach(Link::reset);
        threads.shutdownNow();
    }

    private void acceptConnections() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (resetting) {
                abort(client);
                connectionsReset.incrementAndGet();
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 5_000);
            } catch (IOException e) {
                // The server itself is down: the client is turned away as it would be without the proxy.
                abort(client);
                continue;
            }
            Link link = new Link(client, server);
            links.add(link);
            link.pipe(client, server);
            link.pipe(server, client);
        }
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // close with RST instead of FIN
            socket.close();
        } catch (IOException e) {
            // Gone already.
        }
    }

    /** One proxied connection: the client's socket and the proxy's own to the server. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private final AtomicInteger directionsOpen = new AtomicInteger(2);

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /** Reads {@code from} on one thread and writes to {@code to} on another, each chunk when its delay is up. */
        void pipe(Socket from, Socket to) {
            BlockingQueue<DelayedChunk> inTransit = new LinkedBlockingQueue<>();
            threads.execute(() -> {
                byte[] buffer = new byte[CHUNK_BYTES];
                try {
                    // Not closed when the peer half-closes: closing a socket's stream closes the socket.
                    InputStream in = from.getInputStream();
                    int read;
                    while ((read = in.read(buffer)) >= 0) {
                        inTransit.put(new DelayedChunk(System.nanoTime() + delay.toNanos(),
                                Arrays.copyOf(buffer, read)));
                    }
                    inTransit.put(DelayedChunk.END);
                } catch (IOException | InterruptedException e) {
                    reset();
                }
            });
            threads.execute(() -> {
                try {
                    OutputStream out = to.getOutputStream();
                    while (true) {
                        DelayedChunk chunk = inTransit.take();
                        if (chunk == DelayedChunk.END) {
                            to.shutdownOutput(); // pass the half-close on
                            if (directionsOpen.decrementAndGet() == 0) {
                                close();
                            }
                            return;
                        }
                        long wait = chunk.dueNanos() - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        out.write(chunk.bytes());
                    }
                } catch (IOException | InterruptedException e) {
                    reset();
                }
            });
        }

        void reset() {
            if (links.remove(this)) {
                abort(client);
                abort(server);
                connectionsReset.incrementAndGet();
            }
        }

        /** Both sides closed their end: an orderly close. */
        private void close() throws IOException {
            if (links.remove(this)) {
                client.close();
                server.close();
            }
        }
    }

    private record DelayedChunk(long dueNanos, byte[] bytes) {
        static final DelayedChunk END = new DelayedChunk(0, new byte[0]);
    }
}
