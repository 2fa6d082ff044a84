package io.github.futures.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JVM started by a test: its merged output is collected line by line, and a test can wait for a line.
 * The process and its descendants (process-pool workers) are ended by {@link #close()}.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> outputClosed = new CompletableFuture<>();

    private record Waiter(Predicate<String> test, CompletableFuture<String> found) {
    }

    ChildJvm(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(this::readOutput, "child-jvm-output");
        reader.setDaemon(true);
        reader.start();
    }

    static String java() {
        return System.getProperty("java.home") + "/bin/java";
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                for (Waiter w : waiters) {
                    if (w.test().test(line)) {
                        w.found().complete(line);
                    }
                }
            }
        } catch (IOException e) {
            // the process went away: the output ends here
        } finally {
            outputClosed.complete(null);
            for (Waiter w : waiters) {
                w.found().completeExceptionally(new IllegalStateException(
                        "the child JVM's output ended without the expected line; it printed:\n" + String.join("\n", lines)));
            }
        }
    }

    /**
     * Waits for the first line (already printed or still to come) that matches.
     *
     * @return that line
     */
    String awaitLine(Predicate<String> test, long seconds) throws Exception {
        Waiter waiter = new Waiter(test, new CompletableFuture<>());
        waiters.add(waiter);
        for (String line : lines) {
            if (test.test(line)) {
                waiter.found().complete(line);
            }
        }
        if (outputClosed.isDone() && !waiter.found().isDone()) {
            throw new IllegalStateException("the child JVM's output ended without the expected line; it printed:\n"
                    + String.join("\n", lines));
        }
        try {
            return waiter.found().get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no matching line within " + seconds + " s; the child JVM printed:\n"
                    + String.join("\n", lines), e);
        }
    }

    /** Waits for the process to exit and its output to be read to the end; returns the exit code. */
    int awaitExit(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the child JVM did not exit within " + seconds + " s; it printed:\n"
                    + String.join("\n", lines));
        }
        outputClosed.get(seconds, TimeUnit.SECONDS);
        return process.exitValue();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    Process process() {
        return process;
    }

    /** Asks the JVM to stop (SIGTERM: a graceful shutdown), and kills it and its descendants if it lingers. */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            for (ProcessHandle child : descendants) {
                child.destroyForcibly();
            }
        }
    }
}
