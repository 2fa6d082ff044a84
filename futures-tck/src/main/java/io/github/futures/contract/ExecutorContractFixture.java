package io.github.futures.contract;

import io.github.futures.Executor;
import io.github.futures.SerializableRunnable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * What every part of the executor contract suite stands on: the hooks a subclass implements (the
 * executor under test and what it supports) and the fixtures that track executors, gates and signals
 * so that each test releases and shuts down what it made. The tests themselves are in
 * {@link MapAndWaitContractTests} and {@link ExecutorContractTests}; extend the latter.
 */
@Timeout(60)
public abstract class ExecutorContractFixture {

    /** Tracked executors, shut down after the test. */
    final List<Executor> executors = new ArrayList<>();
    private final List<Gate> gates = new ArrayList<>();
    private final List<Signal> signals = new ArrayList<>();

    /** For subclasses. */
    protected ExecutorContractFixture() {
    }

    // ------------------------------------------------------------------ hooks

    /**
     * A new executor with at most {@code maxWorkers} workers.
     *
     * @param maxWorkers at least 1
     * @return the executor
     */
    protected abstract Executor newExecutor(int maxWorkers);

    /**
     * Whether {@link #newExecutor(int, SerializableRunnable)} is supported; the initializer tests are
     * skipped otherwise.
     *
     * @return {@code false} by default
     */
    protected boolean supportsInitializer() {
        return false;
    }

    /**
     * A new executor whose workers each run {@code initializer} before their first call.
     *
     * @param maxWorkers at least 1
     * @param initializer the initializer
     * @return the executor
     */
    protected Executor newExecutor(int maxWorkers, SerializableRunnable initializer) {
        throw new UnsupportedOperationException("override together with supportsInitializer()");
    }

    /**
     * How many calls the executor may hand to a busy worker ahead of time (CPython's process pool
     * queues one extra call): such calls count as started and cannot be cancelled. Apart from these,
     * the suite assumes that no call waits behind a busy worker while another worker is idle.
     *
     * @return 0 by default
     */
    protected int callsDispatchedAhead() {
        return 0;
    }

    /**
     * The timeout used where a test expects a timeout to happen. It must be long enough for a
     * trivial call to finish on a warm executor.
     *
     * @return 300 ms by default
     */
    protected Duration expectedTimeout() {
        return Duration.ofMillis(300);
    }

    // ------------------------------------------------------------------ fixtures

    /**
     * A tracked executor, shut down after the test.
     *
     * @param maxWorkers its maximum number of workers
     * @return the executor
     */
    protected final Executor executor(int maxWorkers) {
        Executor e = newExecutor(maxWorkers);
        executors.add(e);
        return e;
    }

    /**
     * A tracked gate, opened after the test (before the executors shut down).
     *
     * @return the gate
     */
    protected final Gate gate() {
        Gate g = Gate.create();
        gates.add(g);
        return g;
    }

    /**
     * A tracked signal, closed after the test.
     *
     * @return the signal
     */
    protected final Signal signal() {
        Signal s = Signal.create();
        signals.add(s);
        return s;
    }

    @AfterEach
    void releaseEverything() {
        gates.forEach(Gate::open);
        for (Executor e : executors) {
            e.shutdown(true, true);
        }
        signals.forEach(Signal::close);
    }
}
