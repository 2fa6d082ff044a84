package io.github.futures.process;

import io.github.futures.SerializableCallable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A latch across JVMs: a call made by {@link #call()} connects to this test's socket when it starts
 * in a worker (so {@link #awaitArrival} sees it run) and blocks until {@link #releaseAll()}; it then
 * returns its worker's pid.
 */
final class Gate implements AutoCloseable {

    private final ServerSocket server;
    /** Connections of calls that arrived; guarded by itself. */
    private final List<Socket> arrived = new ArrayList<>();

    Gate() throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /** A call that says it runs, waits for the release, and returns its worker's pid. */
    SerializableCallable<Long> call() {
        int port = server.getLocalPort();
        return () -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = s.getOutputStream();
                out.write(1);
                out.flush();
                InputStream in = s.getInputStream();
                in.read(); // the release, or the end of the test
            }
            return ProcessHandle.current().pid();
        };
    }

    /**
     * Waits for the next call to start.
     *
     * @return whether one arrived within {@code limit}
     */
    boolean awaitArrival(Duration limit) throws IOException {
        server.setSoTimeout((int) Math.max(1L, limit.toMillis()));
        try {
            Socket s = server.accept();
            s.getInputStream().read();
            synchronized (arrived) {
                arrived.add(s);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** Lets every call that arrived (and was not released yet) return. */
    void releaseAll() throws IOException {
        synchronized (arrived) {
            for (Socket s : arrived) {
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
                s.close();
            }
            arrived.clear();
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (arrived) {
            for (Socket s : arrived) {
                s.close();
            }
        }
        server.close();
    }
}
