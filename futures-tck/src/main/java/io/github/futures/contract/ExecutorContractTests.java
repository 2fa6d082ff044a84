package io.github.futures.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.BrokenExecutor;
import io.github.futures.CancelledError;
import io.github.futures.DoneAndNotDone;
import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.MapOptions;
import io.github.futures.ReturnWhen;
import io.github.futures.SerializableBiFunction;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableRunnable;
import io.github.futures.TimeoutError;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Executor} must have, as CPython's executor mixins in
 * {@code Lib/test/test_concurrent_futures} ({@code test_thread_pool}, {@code test_shutdown},
 * {@code test_wait}, {@code test_as_completed}, {@code test_init}, {@code test_deadlock}) check it for
 * each executor kind. A subclass supplies the executor; every test here runs against it.
 *
 * <p>Every call this suite submits is serializable and captures nothing but serializable values
 * (see {@link Tasks}, {@link Gate}, {@link Signal}), so the suite also runs against executors whose
 * calls run in other JVMs. Events are ordered with gates and signals, never with sleeps.
 *
 * <pre>{@code
 * class MyPoolContractTest extends ExecutorContractTests {
 *     protected Executor newExecutor(int maxWorkers) { return new MyPool(maxWorkers); }
 * }
 * }</pre>
 */
@Timeout(60)
public abstract class ExecutorContractTests {

    private final List<Executor> executors = new ArrayList<>();
    private final List<Gate> gates = new ArrayList<>();
    private final List<Signal> signals = new ArrayList<>();

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

    /** Runs one trivial call on every worker slot so that later timings do not include start-up. */
    private static void warmUp(Executor e, int maxWorkers) {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < maxWorkers; i++) {
            fs.add(e.submit(Tasks.value(i)));
        }
        fs.forEach(Future::result);
    }

    // ------------------------------------------------------------------ submit

    /** submit() returns a future that yields the call's value. */
    @Test
    void submitReturnsTheCallsValue() {
        Executor e = executor(2);
        Future<Integer> f = e.submit((SerializableCallable<Integer>) () -> (int) Math.pow(2, 8));
        assertThat(f.result()).isEqualTo(256);
        assertThat(f.done()).isTrue();
        assertThat(f.cancelled()).isFalse();
        assertThat(f.exception()).isNull();
    }

    /** submit(Runnable) runs it; its future's value is null. */
    @Test
    void submitOfARunnableRunsItAndCompletesWithNull() {
        Executor e = executor(2);
        Signal ran = signal();
        Future<Void> f = e.submit(Tasks.fire(ran));
        assertThat(f.result()).isNull();
        assertThat(ran.count()).isEqualTo(1);
    }

    /** submit() returns at once, while the call still runs; the future is not done until it ends. */
    @Test
    void submitReturnsAtOnceWhileTheCallRuns() {
        Executor e = executor(1);
        Gate gate = gate();
        Signal started = signal();
        Future<Integer> f = e.submit(Tasks.awaitThenReturn(started, gate, 7));
        started.awaitCount(1);
        assertThat(f.done()).isFalse();
        assertThat(f.running()).isTrue();
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isInstanceOf(TimeoutError.class);
        gate.open();
        assertThat(f.result()).isEqualTo(7);
        assertThat(f.running()).isFalse();
    }

    /** submit(null) throws NullPointerException. */
    @Test
    void submitOfNullThrowsNullPointerException() {
        Executor e = executor(1);
        assertThatThrownBy(() -> e.submit((SerializableCallable<Object>) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> e.submit((SerializableRunnable) null)).isInstanceOf(NullPointerException.class);
    }

    /** execute() runs the runnable. */
    @Test
    void executeRunsTheRunnable() {
        Executor e = executor(1);
        Signal ran = signal();
        e.execute(Tasks.fire(ran));
        ran.awaitCount(1);
        assertThat(ran.count()).isEqualTo(1);
    }

    /** Many calls all complete with their own values (CPython's test_hang_issue12364, without sleeps). */
    @Test
    void manySubmittedCallsAllComplete() {
        Executor e = executor(3);
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            fs.add(e.submit(Tasks.value(i)));
        }
        e.shutdown(true, false);
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).done()).isTrue();
            assertThat(fs.get(i).result()).isEqualTo(i);
        }
    }

    // ------------------------------------------------------------------ exceptions

    /** An unchecked exception of the call is rethrown as is by result() and returned by exception(). */
    @Test
    void uncheckedExceptionIsRethrownAsIs() {
        Executor e = executor(1);
        Future<Object> f = e.submit(Tasks.throwing(new IllegalArgumentException("bad argument 42")));
        Throwable thrown = catchThrowable(f::result);
        assertThat(thrown).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bad argument 42");
        assertThat(f.exception()).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bad argument 42");
        assertThat(f.done()).isTrue();
        assertThat(f.cancelled()).isFalse();
    }

    /** An Error of the call is rethrown as is. */
    @Test
    void errorIsRethrownAsIs() {
        Executor e = executor(1);
        Future<Object> f = e.submit(Tasks.throwing(new StackOverflowError("deep")));
        assertThatThrownBy(f::result).isExactlyInstanceOf(StackOverflowError.class).hasMessage("deep");
    }

    /** A checked exception is wrapped in CompletionException by result(); exception() gives the original. */
    @Test
    void checkedExceptionIsWrappedInCompletionException() {
        Executor e = executor(1);
        Future<Object> f = e.submit(Tasks.throwing(new IOException("disk on fire")));
        assertThatThrownBy(f::result)
                .isExactlyInstanceOf(CompletionException.class)
                .cause().isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
        assertThat(f.exception()).isExactlyInstanceOf(IOException.class).hasMessage("disk on fire");
    }

    /** A failing call does not break the executor: later calls run (CPython's test_deadlock, error in a call). */
    @Test
    void failingCallDoesNotBreakTheExecutor() {
        Executor e = executor(1);
        Future<Object> bad = e.submit(Tasks.throwing(new IllegalStateException("boom")));
        assertThat(bad.exception()).isInstanceOf(IllegalStateException.class);
        Future<Object> worse = e.submit(Tasks.throwing(new StackOverflowError()));
        assertThat(worse.exception()).isInstanceOf(StackOverflowError.class);
        assertThat(e.submit(Tasks.value(5)).result()).isEqualTo(5);
    }

    // ------------------------------------------------------------------ cancel

    /** A call that has not started can be cancelled; it never runs and result() throws CancelledError. */
    @Test
    void cancelOfAPendingCallSucceedsAndTheCallNeverRuns() {
        Executor e = executor(1);
        Gate gate = gate();
        Signal started = signal();
        Signal ran = signal();
        Future<Integer> blocker = e.submit(Tasks.awaitThenReturn(started, gate, 1));
        started.awaitCount(1);
        List<Future<Integer>> ahead = new ArrayList<>();
        for (int i = 0; i < callsDispatchedAhead(); i++) {
            ahead.add(e.submit(Tasks.value(i)));
        }
        Future<Integer> pending = e.submit(Tasks.fireThenReturn(ran, 2));
        assertThat(pending.cancel()).isTrue();
        assertThat(pending.cancelled()).isTrue();
        assertThat(pending.done()).isTrue();
        assertThat(pending.cancel()).as("cancel again").isTrue();
        assertThatThrownBy(pending::result).isInstanceOf(CancelledError.class);
        assertThatThrownBy(pending::exception).isInstanceOf(CancelledError.class);
        gate.open();
        assertThat(blocker.result()).isEqualTo(1);
        ahead.forEach(Future::result);
        e.shutdown(true, false);
        assertThat(ran.count()).as("the cancelled call ran").isZero();
    }

    /** A running call cannot be cancelled; it finishes normally. */
    @Test
    void cancelOfARunningCallFailsAndTheCallFinishes() {
        Executor e = executor(1);
        Gate gate = gate();
        Signal started = signal();
        Future<Integer> f = e.submit(Tasks.awaitThenReturn(started, gate, 3));
        started.awaitCount(1);
        assertThat(f.cancel()).isFalse();
        assertThat(f.cancelled()).isFalse();
        gate.open();
        assertThat(f.result()).isEqualTo(3);
        assertThat(f.cancel()).as("cancel after it finished").isFalse();
    }

    // ------------------------------------------------------------------ map

    /** map() yields the results in the order of the items. */
    @Test
    void mapYieldsResultsInItemOrder() {
        Executor e = executor(3);
        List<Integer> items = IntStream.range(0, 50).boxed().toList();
        try (Stream<Integer> results = e.map(Tasks.square(), items)) {
            assertThat(results.toList()).isEqualTo(items.stream().map(x -> x * x).toList());
        }
    }

    /** Results come in item order even when a later item finishes first. */
    @Test
    void mapYieldsInItemOrderWhenLaterItemsFinishFirst() {
        Executor e = executor(2);
        Gate gate = gate();
        Signal ran = signal();
        List<Integer> items = List.of(0, 1, 2, 3, 4);
        try (Stream<Integer> results = e.map(Tasks.timesTenBlockingAt(ran, gate, 0), items)) {
            // item 0 is blocked; the others run on the other worker (except those dispatched behind item 0)
            ran.awaitCount(items.size() - callsDispatchedAhead());
            gate.open();
            assertThat(results.toList()).containsExactly(0, 10, 20, 30, 40);
        }
    }

    /** All items are submitted when map() is called, before the stream is consumed. */
    @Test
    void mapSubmitsAllItemsAtTheCall() {
        Executor e = executor(2);
        Signal ran = signal();
        Gate never = gate();
        List<Integer> items = List.of(1, 2, 3, 4, 5, 6);
        try (Stream<Integer> results = e.map(Tasks.timesTenBlockingAt(ran, never, -1), items)) {
            ran.awaitCount(items.size()); // every call ran although nothing was consumed
            assertThat(results.toList()).containsExactly(10, 20, 30, 40, 50, 60);
        }
    }

    /** A failed call throws, as result() would, when its element is reached; earlier ones are fine. */
    @Test
    void mapRethrowsAFailedCallWhenItsElementIsReached() {
        Executor e = executor(2);
        try (Stream<Integer> results = e.map(Tasks.twelveDividedBy(), List.of(1, 2, 0, 3))) {
            Iterator<Integer> it = results.iterator();
            assertThat(it.next()).isEqualTo(12);
            assertThat(it.next()).isEqualTo(6);
            assertThatThrownBy(it::next).isExactlyInstanceOf(ArithmeticException.class);
        }
    }

    /** Taking an element after map's timeout throws TimeoutError; earlier results are fine. */
    @Test
    void mapTimeoutThrowsTimeoutErrorForALateElement() {
        Executor e = executor(3);
        warmUp(e, 3);
        Gate gate = gate();
        Signal ran = signal();
        try (Stream<Integer> results = e.map(Tasks.timesTenBlockingAt(ran, gate, 2), List.of(0, 1, 2),
                expectedTimeout())) {
            Iterator<Integer> it = results.iterator();
            assertThat(it.next()).isEqualTo(0);
            assertThat(it.next()).isEqualTo(10);
            assertThatThrownBy(it::next).isInstanceOf(TimeoutError.class);
        }
    }

    /** map's timeout runs from the call of map, not from the first take. */
    @Test
    void mapTimeoutRunsFromTheCallOfMap() {
        Executor e = executor(1);
        warmUp(e, 1);
        Gate gate = gate();
        Signal ran = signal();
        Duration timeout = expectedTimeout();
        try (Stream<Integer> results = e.map(Tasks.timesTenBlockingAt(ran, gate, 0), List.of(0), timeout)) {
            Iterator<Integer> it = results.iterator();
            // Let the whole timeout pass before the first take (a timed wait on something that never happens).
            assertThatThrownBy(() -> new Future<Void>().result(timeout)).isInstanceOf(TimeoutError.class);
            long t0 = System.nanoTime();
            assertThatThrownBy(it::next).isInstanceOf(TimeoutError.class);
            long tookNanos = System.nanoTime() - t0;
            assertThat(Duration.ofNanos(tookNanos)).as("next() waited a fresh timeout").isLessThan(timeout);
        }
    }

    /** Closing the stream cancels the calls that have not started. */
    @Test
    void mapClosingTheStreamCancelsCallsNotStarted() {
        Executor e = executor(1);
        Gate gate = gate();
        Signal ran = signal();
        List<Integer> items = IntStream.range(0, 10).boxed().toList();
        Stream<Integer> results = e.map(Tasks.timesTenBlockingAt(ran, gate, 0), items);
        ran.awaitCount(1); // item 0 runs and waits; the others are queued
        results.close();
        gate.open();
        e.shutdown(true, false);
        assertThat(ran.count()).as("calls that ran").isLessThanOrEqualTo(1 + callsDispatchedAhead());
    }

    /** A timeout while consuming the stream cancels the calls that have not started. */
    @Test
    void mapTimeoutCancelsCallsNotStarted() {
        Executor e = executor(1);
        warmUp(e, 1);
        Gate gate = gate();
        Signal ran = signal();
        List<Integer> items = IntStream.range(0, 10).boxed().toList();
        try (Stream<Integer> results = e.map(Tasks.timesTenBlockingAt(ran, gate, 0), items, expectedTimeout())) {
            assertThatThrownBy(() -> results.iterator().next()).isInstanceOf(TimeoutError.class);
            gate.open();
            e.shutdown(true, false);
            assertThat(ran.count()).as("calls that ran").isLessThanOrEqualTo(1 + callsDispatchedAhead());
        }
    }

    /** With a buffer size b, map() takes only b items at the call, and one more per element taken. */
    @Test
    void mapWithBuffersizeTakesOnlyThatManyItemsAhead() {
        Executor e = executor(2);
        AtomicInteger pulled = new AtomicInteger(); // test-side only: counts items taken from the source
        Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return pulled.getAndIncrement();
            }
        };
        try (Stream<Integer> results = e.map(Tasks.square(), endless, MapOptions.DEFAULTS.withBuffersize(2))) {
            assertThat(pulled.get()).isEqualTo(2);
            Iterator<Integer> it = results.iterator();
            assertThat(it.next()).isEqualTo(0);
            assertThat(pulled.get()).isEqualTo(3);
            assertThat(it.next()).isEqualTo(1);
            assertThat(it.next()).isEqualTo(4);
            assertThat(it.next()).isEqualTo(9);
            assertThat(pulled.get()).isEqualTo(6);
        }
    }

    /** With a buffer size, a finite iterable still yields every result in order. */
    @Test
    void mapWithBuffersizeYieldsEveryResultInOrder() {
        Executor e = executor(2);
        List<Integer> items = IntStream.range(0, 20).boxed().toList();
        try (Stream<Integer> results = e.map(Tasks.square(), items, MapOptions.DEFAULTS.withBuffersize(3))) {
            assertThat(results.toList()).isEqualTo(items.stream().map(x -> x * x).toList());
        }
        try (Stream<Integer> results = e.map(Tasks.square(), List.<Integer>of(), MapOptions.DEFAULTS.withBuffersize(3))) {
            assertThat(results.toList()).isEmpty();
        }
    }

    /** The two-iterable map zips the iterables and stops at the shorter one. */
    @Test
    void mapOfTwoIterablesStopsAtTheShorter() {
        Executor e = executor(2);
        SerializableBiFunction<Integer, Integer, Integer> pow = (a, b) -> (int) Math.pow(a, b);
        try (Stream<Integer> results = e.map(pow, List.of(2, 3, 4, 5), List.of(1, 2, 3))) {
            assertThat(results.toList()).containsExactly(2, 9, 64);
        }
        try (Stream<Integer> results = e.map(pow, List.of(2), List.of(10, 20))) {
            assertThat(results.toList()).containsExactly(1024);
        }
    }

    /** map() of nothing is an empty stream. */
    @Test
    void mapOfAnEmptyIterableIsEmpty() {
        Executor e = executor(1);
        try (Stream<Integer> results = e.map(Tasks.square(), List.of())) {
            assertThat(results.toList()).isEmpty();
        }
    }

    /** map() after shutdown is rejected like submit(). */
    @Test
    void mapAfterShutdownIsRejected() {
        Executor e = executor(1);
        e.shutdown();
        assertThatThrownBy(() -> e.map(Tasks.square(), List.of(1, 2)).toList())
                .isInstanceOf(RejectedExecutionException.class);
    }

    // ------------------------------------------------------------------ shutdown

    /** submit() after shutdown throws RejectedExecutionException. */
    @Test
    void submitAfterShutdownIsRejected() {
        Executor e = executor(1);
        assertThat(e.submit(Tasks.value(1)).result()).isEqualTo(1);
        e.shutdown();
        assertThatThrownBy(() -> e.submit(Tasks.value(2)))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("shutdown");
        assertThatThrownBy(() -> e.execute(Tasks.fire(signal()))).isInstanceOf(RejectedExecutionException.class);
    }

    /** submit() after close() (try-with-resources) throws RejectedExecutionException. */
    @Test
    void submitAfterCloseIsRejected() {
        Executor e = executor(1);
        try (Executor closing = e) {
            assertThat(closing.submit(Tasks.value(1)).result()).isEqualTo(1);
        }
        assertThatThrownBy(() -> e.submit(Tasks.value(2))).isInstanceOf(RejectedExecutionException.class);
    }

    /** shutdown() on an executor that never ran anything returns at once, and twice is harmless. */
    @Test
    void shutdownOfAnUnusedExecutorReturnsAndTwiceIsHarmless() {
        Executor e = executor(2);
        e.shutdown();
        e.shutdown();
        e.shutdown(false, true);
        e.close();
        assertThatThrownBy(() -> e.submit(Tasks.value(1))).isInstanceOf(RejectedExecutionException.class);
    }

    /** Calling shutdown again, with any arguments, after calls ran is harmless. */
    @Test
    void shutdownTwiceIsHarmless() {
        Executor e = executor(2);
        Future<Integer> f = e.submit(Tasks.value(1));
        e.shutdown(true, false);
        e.shutdown(true, true);
        e.shutdown(false, false);
        assertThat(f.result()).isEqualTo(1);
    }

    /** shutdown(wait=true) returns only once every call submitted before it is done. */
    @Test
    void shutdownWithWaitReturnsOnceEveryCallIsDone() throws InterruptedException {
        Executor e = executor(2);
        Gate gate = gate();
        Signal started = signal();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fs.add(e.submit(Tasks.awaitThenReturn(started, gate, i)));
        }
        started.awaitCount(2);
        Thread shutter = new Thread(() -> e.shutdown(true, false), "shutter");
        shutter.start();
        shutter.join(expectedTimeout().toMillis());
        assertThat(shutter.isAlive()).as("shutdown(wait=true) returned while calls were blocked").isTrue();
        gate.open();
        shutter.join();
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).done()).as("future %d done when shutdown returned", i).isTrue();
            assertThat(fs.get(i).result()).isEqualTo(i);
        }
    }

    /** shutdown(wait=false) returns at once; the calls already submitted still run to their end. */
    @Test
    void shutdownWithoutWaitReturnsAtOnceAndCallsStillFinish() {
        Executor e = executor(2);
        Gate gate = gate();
        Signal started = signal();
        Future<Integer> running = e.submit(Tasks.awaitThenReturn(started, gate, 1));
        Future<Integer> queued = e.submit(Tasks.awaitThenReturn(null, gate, 2));
        Future<Integer> queued2 = e.submit(Tasks.awaitThenReturn(null, gate, 3));
        started.awaitCount(1);
        e.shutdown(false, false); // must not block although the gate is closed
        assertThat(running.done()).isFalse();
        assertThatThrownBy(() -> e.submit(Tasks.value(9))).isInstanceOf(RejectedExecutionException.class);
        gate.open();
        assertThat(running.result()).isEqualTo(1);
        assertThat(queued.result()).isEqualTo(2);
        assertThat(queued2.result()).isEqualTo(3);
    }

    /** shutdown(cancelFutures=true) cancels the calls not started; the running one finishes. */
    @Test
    void shutdownWithCancelFuturesCancelsCallsNotStarted() {
        Executor e = executor(1);
        Gate gate = gate();
        Signal started = signal();
        Signal ran = signal();
        Future<Integer> running = e.submit(Tasks.awaitThenReturn(started, gate, 1));
        started.awaitCount(1);
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(e.submit(Tasks.fireThenReturn(ran, i)));
        }
        e.shutdown(false, true);
        long cancelled = queued.stream().filter(Future::cancelled).count();
        assertThat(cancelled).isGreaterThanOrEqualTo(queued.size() - callsDispatchedAhead());
        gate.open();
        e.shutdown(true, false);
        assertThat(running.result()).isEqualTo(1);
        assertThat(running.cancelled()).isFalse();
        for (Future<Integer> f : queued) {
            assertThat(f.done()).isTrue();
        }
        assertThat(ran.count()).isEqualTo(queued.size() - (int) cancelled);
    }

    /** shutdown(wait=true, cancelFutures=true) waits only for the running call. */
    @Test
    void shutdownWithWaitAndCancelFuturesWaitsForTheRunningCallOnly() throws InterruptedException {
        Executor e = executor(1);
        Gate gate = gate();
        Signal started = signal();
        Future<Integer> running = e.submit(Tasks.awaitThenReturn(started, gate, 1));
        started.awaitCount(1);
        List<Future<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5 + callsDispatchedAhead(); i++) {
            queued.add(e.submit(Tasks.awaitThenReturn(null, gate, i)));
        }
        Thread shutter = new Thread(() -> e.shutdown(true, true), "shutter");
        shutter.start();
        shutter.join(expectedTimeout().toMillis());
        assertThat(shutter.isAlive()).as("shutdown(wait=true) returned while a call was blocked").isTrue();
        gate.open();
        shutter.join();
        assertThat(running.result()).isEqualTo(1);
        assertThat(queued.stream().filter(Future::cancelled).count()).isGreaterThanOrEqualTo(5);
    }

    /** close() waits for the calls submitted, as Python's "with" block does. */
    @Test
    void closeWaitsForSubmittedCalls() {
        Executor e = executor(2);
        List<Future<Integer>> fs = new ArrayList<>();
        try (e) {
            for (int i = 0; i < 20; i++) {
                fs.add(e.submit(Tasks.value(i)));
            }
        }
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).done()).isTrue();
            assertThat(fs.get(i).result()).isEqualTo(i);
        }
    }

    // ------------------------------------------------------------------ wait / asCompleted

    /** wait(ALL_COMPLETED) returns when all are done, failures and cancellations included. */
    @Test
    void waitAllCompletedReturnsWhenEveryFutureIsDone() {
        Executor e = executor(2);
        Gate gate = gate();
        Future<Integer> slow = e.submit(Tasks.awaitThenReturn(null, gate, 1));
        Future<Object> failed = e.submit(Tasks.throwing(new IllegalStateException("x")));
        Future<Integer> fine = e.submit(Tasks.value(3));
        assertThat(failed.exception()).isNotNull();
        DoneAndNotDone<Future<?>> early = Futures.wait(List.of(slow, failed, fine), expectedTimeout());
        assertThat(early.done()).containsExactlyInAnyOrder(failed, fine);
        assertThat(early.notDone()).containsExactly(slow);
        gate.open();
        DoneAndNotDone<Future<?>> r = Futures.wait(List.of(slow, failed, fine));
        assertThat(r.done()).containsExactlyInAnyOrder(slow, failed, fine);
        assertThat(r.notDone()).isEmpty();
    }

    /** wait(FIRST_COMPLETED) returns as soon as one future is done. */
    @Test
    void waitFirstCompletedReturnsWhenOneFutureIsDone() {
        Executor e = executor(2);
        Gate slowGate = gate();
        Gate fastGate = gate();
        Signal started = signal();
        Future<Integer> slow = e.submit(Tasks.awaitThenReturn(started, slowGate, 1));
        Future<Integer> fast = e.submit(Tasks.awaitThenReturn(started, fastGate, 2));
        started.awaitCount(2);
        fastGate.open();
        DoneAndNotDone<Future<Integer>> r = Futures.wait(List.of(slow, fast), null, ReturnWhen.FIRST_COMPLETED);
        assertThat(r.done()).containsExactly(fast);
        assertThat(r.notDone()).containsExactly(slow);
    }

    /** wait(FIRST_EXCEPTION) returns as soon as one call failed, without waiting for the rest. */
    @Test
    void waitFirstExceptionReturnsOnTheFirstFailure() {
        Executor e = executor(3);
        Gate slowGate = gate();
        Gate failGate = gate();
        Signal started = signal();
        Future<Integer> slow = e.submit(Tasks.awaitThenReturn(started, slowGate, 1));
        Future<Integer> fine = e.submit(Tasks.value(2));
        Future<Integer> failing = e.submit(Tasks.awaitThenThrow(started, failGate, new IllegalStateException("x")));
        started.awaitCount(2);
        assertThat(fine.result()).isEqualTo(2);
        failGate.open();
        DoneAndNotDone<Future<Integer>> r = Futures.wait(List.of(slow, fine, failing), null, ReturnWhen.FIRST_EXCEPTION);
        assertThat(r.done()).containsExactlyInAnyOrder(fine, failing);
        assertThat(r.notDone()).containsExactly(slow);
    }

    /** wait() with a timeout returns, without an exception, what is done by then. */
    @Test
    void waitTimeoutReturnsTheFuturesNotDoneWithoutException() {
        Executor e = executor(2);
        Gate gate = gate();
        Future<Integer> blocked = e.submit(Tasks.awaitThenReturn(null, gate, 1));
        Future<Integer> fine = e.submit(Tasks.value(2));
        assertThat(fine.result()).isEqualTo(2);
        DoneAndNotDone<Future<Integer>> r = Futures.wait(List.of(blocked, fine), expectedTimeout(), ReturnWhen.ALL_COMPLETED);
        assertThat(r.done()).containsExactly(fine);
        assertThat(r.notDone()).containsExactly(blocked);
    }

    /** asCompleted() yields the futures in the order they complete. */
    @Test
    void asCompletedYieldsInCompletionOrder() {
        Executor e = executor(3);
        Gate gateA = gate();
        Gate gateB = gate();
        Future<Integer> a = e.submit(Tasks.awaitThenReturn(null, gateA, 1));
        Future<Integer> b = e.submit(Tasks.awaitThenReturn(null, gateB, 2));
        Future<Integer> c = e.submit(Tasks.value(3));
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(a, b, c)).iterator();
        assertThat(it.next()).isSameAs(c);
        gateB.open();
        assertThat(it.next()).isSameAs(b);
        gateA.open();
        assertThat(it.next()).isSameAs(a);
        assertThat(it.hasNext()).isFalse();
    }

    /** asCompleted() with a timeout throws TimeoutError naming how many futures are unfinished. */
    @Test
    void asCompletedTimesOutWithTheNumberOfUnfinishedFutures() {
        Executor e = executor(2);
        Gate gate = gate();
        Future<Integer> done = e.submit(Tasks.value(1));
        assertThat(done.result()).isEqualTo(1);
        Future<Integer> blocked = e.submit(Tasks.awaitThenReturn(null, gate, 2));
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(done, blocked), expectedTimeout()).iterator();
        assertThat(it.next()).isSameAs(done);
        assertThatThrownBy(it::next).isInstanceOf(TimeoutError.class).hasMessage("1 (of 2) futures unfinished");
    }

    // ------------------------------------------------------------------ initializer

    /** The initializer runs in each worker before its calls (CPython's test_init). */
    @Test
    void initializerRunsBeforeTheCalls() {
        assumeTrue(supportsInitializer(), "executor has no initializer");
        String token = UUID.randomUUID().toString();
        Executor e = newExecutor(2, Tasks.initializer(token));
        executors.add(e);
        List<Future<String>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fs.add(e.submit(Tasks.initToken()));
        }
        assertThat(fs.stream().map(Future::result).collect(Collectors.toSet())).containsExactly(token);
    }

    /** A failing initializer breaks the executor: its futures and every later submit fail with BrokenExecutor. */
    @Test
    void failingInitializerBreaksTheExecutor() {
        assumeTrue(supportsInitializer(), "executor has no initializer");
        Executor e = newExecutor(2, Tasks.failingInitializer());
        executors.add(e);
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try {
                fs.add(e.submit(Tasks.value(i)));
            } catch (BrokenExecutor alreadyBroken) {
                break; // the first worker failed while we were still submitting
            }
        }
        assertThat(fs).isNotEmpty();
        for (Future<Integer> f : fs) {
            assertThatThrownBy(f::result).isInstanceOf(BrokenExecutor.class);
        }
        assertThatThrownBy(() -> e.submit(Tasks.value(99))).isInstanceOf(BrokenExecutor.class);
    }
}
