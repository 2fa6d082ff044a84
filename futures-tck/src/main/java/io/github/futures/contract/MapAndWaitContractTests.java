package io.github.futures.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.DoneAndNotDone;
import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.MapOptions;
import io.github.futures.ReturnWhen;
import io.github.futures.SerializableBiFunction;
import io.github.futures.TimeoutError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executor contract for {@code map}, {@code wait} and {@code asCompleted} (CPython's
 * {@code test_wait} and {@code test_as_completed}, and the map tests of its executor mixins): results
 * in item order, one deadline for a whole map, cancellation of what has not started, and waiting on
 * several futures at once. Run against every executor through {@link ExecutorContractTests}, which
 * extends it.
 */
@Timeout(60)
public abstract class MapAndWaitContractTests extends ExecutorContractFixture {

    /** For subclasses. */
    protected MapAndWaitContractTests() {
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

    /**
     * Runs one trivial call on every worker slot so that later timings do not include start-up.
     *
     * @param e the executor
     * @param maxWorkers its maximum number of workers
     */
    private static void warmUp(Executor e, int maxWorkers) {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < maxWorkers; i++) {
            fs.add(e.submit(Tasks.value(i)));
        }
        fs.forEach(Future::result);
    }
}
