package io.github.futures.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.BrokenExecutor;
import io.github.futures.CancelledError;
import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableRunnable;
import io.github.futures.TimeoutError;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Executor} must have, as CPython's executor mixins in
 * {@code Lib/test/test_concurrent_futures} ({@code test_thread_pool}, {@code test_shutdown},
 * {@code test_wait}, {@code test_as_completed}, {@code test_init}, {@code test_deadlock}) check it for
 * each executor kind. A subclass supplies the executor; every test here runs against it, and so do
 * the map, wait and asCompleted tests of {@link MapAndWaitContractTests}, which this class extends.
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
public abstract class ExecutorContractTests extends MapAndWaitContractTests {

    /** For subclasses. */
    protected ExecutorContractTests() {
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