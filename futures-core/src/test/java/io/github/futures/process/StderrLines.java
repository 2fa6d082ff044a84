package io.github.futures.process;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Captures the lines written to {@code System.err} (where the pool forwards its workers' standard
 * error) while it is open; {@link #await} waits for a line without polling. They are not passed on: what
 * a test provokes on purpose (a thread dump, a worker JVM that cannot start) stays out of the build's output.
 */
public final class StderrLines implements AutoCloseable {

    private final PrintStream original = System.err;
    /** Guarded by itself. */
    private final List<String> lines = new ArrayList<>();
    /** Guarded by {@link #lines}. */
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(String text, CountDownLatch latch) {
    }

    public StderrLines() {
        System.setErr(new PrintStream(new Sink(), true, StandardCharsets.UTF_8));
    }

    /** Waits for a line containing {@code text}; true if it came within {@code limit}. */
    public boolean await(String text, Duration limit) throws InterruptedException {
        Waiter w = new Waiter(text, new CountDownLatch(1));
        synchronized (lines) {
            if (lines.stream().anyMatch(l -> l.contains(text))) {
                return true;
            }
            waiters.add(w);
        }
        return w.latch().await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return a copy of the lines so far */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        System.setErr(original);
    }

    private final class Sink extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            String l = line.toString(StandardCharsets.UTF_8).stripTrailing();
            line.reset();
            synchronized (lines) {
                lines.add(l);
                waiters.removeIf(w -> {
                    if (l.contains(w.text())) {
                        w.latch().countDown();
                        return true;
                    }
                    return false;
                });
            }
        }
    }
}
