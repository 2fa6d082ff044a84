package io.github.futures.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A counter that tasks {@link #fire() fire}, wherever they run, and that the test awaits: the
 * other direction of {@link Gate}. A task fires it to say "I have started" (or "I ran"); the test
 * waits until a number of fires arrived, or reads how many did. Serializable; a task may capture it.
 *
 * <pre>{@code
 * Signal started = Signal.create();
 * executor.submit((SerializableCallable<Integer>) () -> { started.fire(); gate.await(); return 1; });
 * started.awaitCount(1);          // the call is running now
 * }</pre>
 *
 * <p>Implementation note: the creating JVM keeps a semaphore (one permit per fire) and a count in a
 * static registry under the signal's id, and a loopback server socket served by one daemon thread.
 * A fire in the creating JVM counts directly. A fire elsewhere connects to the socket and waits for
 * the acceptor's one-byte acknowledgement, which is written after the fire was counted: when
 * {@code fire()} returns, the test can see it. Every wait is a blocking call, none polls.
 */
public final class Signal implements Serializable, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private static final Map<String, Local> LOCAL = new ConcurrentHashMap<>();

    /** The signal's name, unique in this JVM and across the JVMs it travels to. */
    private final String id;
    /** The process that created the signal and counts it. */
    private final long creatorPid;
    /** The loopback port other JVMs send their signals to. */
    private final int port;

    private Signal(String id, long creatorPid, int port) {
        this.id = id;
        this.creatorPid = creatorPid;
        this.port = port;
    }

    private static final class Local {
        final Semaphore permits = new Semaphore(0);
        final AtomicInteger count = new AtomicInteger();
        final ServerSocket server;

        Local(ServerSocket server) {
            this.server = server;
        }

        void fired() {
            count.incrementAndGet();
            permits.release();
        }
    }

    /**
     * Creates a signal that nobody has fired.
     *
     * @return the signal
     */
    public static Signal create() {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            Signal signal = new Signal(UUID.randomUUID().toString(), ProcessHandle.current().pid(), server.getLocalPort());
            Local local = new Local(server);
            LOCAL.put(signal.id, local);
            Thread acceptor = new Thread(() -> accept(local), "signal-acceptor-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return signal;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a signal socket", e);
        }
    }

    private static void accept(Local local) {
        while (!local.server.isClosed()) {
            try (Socket s = local.server.accept()) {
                local.fired();
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
            } catch (IOException closedOrBroken) {
                // closed: the loop ends; a broken connection: the firing side reports it
            }
        }
    }

    /** Counts one fire; returns once the creator can see it. */
    public void fire() {
        if (ProcessHandle.current().pid() == creatorPid) {
            Local local = LOCAL.get(id);
            if (local == null) {
                throw new IllegalStateException("signal " + id + " was closed");
            }
            local.fired();
            return;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 60_000);
            s.setSoTimeout(60_000);
            InputStream in = s.getInputStream();
            if (in.read() != 1) {
                throw new IOException("no acknowledgement from the signal's creator");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fire signal on port " + port, e);
        }
    }

    /**
     * Waits until at least {@code n} fires have arrived in total, at most one minute.
     *
     * @param n the number of fires
     * @throws AssertionError if they did not arrive in time
     */
    public void awaitCount(int n) {
        awaitCount(n, Duration.ofMinutes(1));
    }

    /**
     * Waits until at least {@code n} fires have arrived in total.
     *
     * @param n the number of fires
     * @param timeout the limit
     * @throws AssertionError if they did not arrive in time
     */
    public void awaitCount(int n, Duration timeout) {
        Local local = local();
        try {
            if (!local.permits.tryAcquire(n, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("expected " + n + " fires within " + timeout + ", got " + local.count.get());
            }
            local.permits.release(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a signal", e);
        }
    }

    /**
     * The number of fires so far (in the creating JVM).
     *
     * @return the count
     */
    public int count() {
        return local().count.get();
    }

    private Local local() {
        if (ProcessHandle.current().pid() != creatorPid) {
            throw new IllegalStateException("only the JVM that created a signal can wait for it");
        }
        Local local = LOCAL.get(id);
        if (local == null) {
            throw new IllegalStateException("signal " + id + " was closed");
        }
        return local;
    }

    /** Closes the socket; later fires fail. Harmless when repeated. */
    @Override
    public void close() {
        Local local = LOCAL.remove(id);
        if (local != null) {
            try {
                local.server.close();
            } catch (IOException ignored) {
                // nothing to release then
            }
        }
    }

    @Override
    public String toString() {
        return "Signal[" + id + ", port " + port + "]";
    }
}
