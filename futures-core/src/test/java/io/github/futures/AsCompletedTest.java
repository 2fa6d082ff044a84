package io.github.futures;

import static io.github.futures.FutureStates.cancelled;
import static io.github.futures.FutureStates.cancelledAndNotified;
import static io.github.futures.FutureStates.failed;
import static io.github.futures.FutureStates.finished;
import static io.github.futures.FutureStates.listenerCount;
import static io.github.futures.FutureStates.pending;
import static io.github.futures.FutureStates.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Futures.asCompleted (CPython's test_as_completed), on futures completed by hand. */
@Timeout(30)
class AsCompletedTest {

    /** Futures already done come first (in collection order), then the others as they complete. */
    @Test
    void yieldsDoneFuturesFirstThenInCompletionOrder() {
        Future<Integer> p1 = pending();
        Future<Integer> done1 = finished(1);
        Future<Integer> p2 = running();
        Future<Integer> done2 = cancelledAndNotified();
        Future<Integer> p3 = pending();
        Future<Integer> done3 = failed(new IllegalStateException());
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(p1, done1, p2, done2, p3, done3)).iterator();
        assertThat(List.of(it.next(), it.next(), it.next())).containsExactly(done1, done2, done3);
        p3.cancel();
        assertThat(it.next()).isSameAs(p3);
        p2.setException(new IllegalStateException());
        assertThat(it.next()).isSameAs(p2);
        p1.setResult(1);
        assertThat(it.next()).isSameAs(p1);
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    /** Completion order is followed when other threads complete the futures while the consumer waits. */
    @Test
    void followsCompletionOrderAcrossThreads() throws InterruptedException {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fs.add(pending());
        }
        int[] order = {3, 0, 4, 1, 2};
        Iterator<Future<Integer>> it = Futures.asCompleted(fs).iterator();
        for (int i : order) {
            Thread t = new Thread(() -> fs.get(i).setResult(i));
            t.start();
            assertThat(it.next()).isSameAs(fs.get(i));
            t.join();
        }
        assertThat(it.hasNext()).isFalse();
    }

    /** When the timeout passes, next() throws TimeoutError with CPython's message. */
    @Test
    void timeoutMessageCountsTheUnfinishedFutures() {
        Future<Integer> a = finished(1);
        Future<Integer> b = cancelled();
        Future<Integer> c = pending();
        Future<Integer> d = running();
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(a, b, c, d), Duration.ofMillis(100)).iterator();
        assertThat(it.next()).isSameAs(a);
        assertThat(it.next()).isSameAs(b);
        long t0 = System.nanoTime();
        assertThatThrownBy(it::next).isExactlyInstanceOf(TimeoutError.class).hasMessage("2 (of 4) futures unfinished");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(20));
        assertThat(listenerCount(c)).as("waiters removed after the timeout").isZero();
        assertThat(listenerCount(d)).isZero();
    }

    /** The timeout runs from the call of asCompleted, not from the first next(). */
    @Test
    void timeoutRunsFromTheCall() {
        Future<Integer> p = pending();
        Duration timeout = Duration.ofMillis(200);
        Iterable<Future<Integer>> it = Futures.asCompleted(List.of(p), timeout);
        assertThatThrownBy(() -> new Future<Void>().result(timeout)).isInstanceOf(TimeoutError.class); // let it pass
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> it.iterator().next()).isInstanceOf(TimeoutError.class).hasMessage("1 (of 1) futures unfinished");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(timeout);
    }

    /** A zero timeout yields the done futures and then times out. */
    @Test
    void zeroTimeoutYieldsTheDoneOnesThenTimesOut() {
        Future<Integer> done = finished(1);
        Future<Integer> p = pending();
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(p, done), Duration.ZERO).iterator();
        assertThat(it.next()).isSameAs(done);
        assertThatThrownBy(it::next).isInstanceOf(TimeoutError.class).hasMessage("1 (of 2) futures unfinished");
    }

    /** Each distinct future is yielded once, however often it is in the collection. */
    @Test
    void duplicatesAreYieldedOnce() {
        Future<Integer> done = finished(1);
        Future<Integer> p = pending();
        List<Future<Integer>> yielded = new ArrayList<>();
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(done, p, done, p, p)).iterator();
        yielded.add(it.next());
        p.setResult(2);
        it.forEachRemaining(yielded::add);
        assertThat(yielded).containsExactly(done, p);
    }

    /** The iterable is single-pass: a second iterator() is refused. */
    @Test
    void iterableIsSinglePass() {
        Iterable<Future<Integer>> once = Futures.asCompleted(List.of(finished(1)));
        assertThat(once.iterator().next().result()).isEqualTo(1);
        assertThatThrownBy(once::iterator).isInstanceOf(IllegalStateException.class);
    }

    /** An empty collection yields nothing. */
    @Test
    void emptyCollectionYieldsNothing() {
        assertThat(Futures.asCompleted(List.<Future<Integer>>of(), Duration.ZERO).iterator().hasNext()).isFalse();
    }

    /** Once every future was yielded, no waiter stays on any of them. */
    @Test
    void waitersAreRemovedOnceAllAreYielded() {
        Future<Integer> a = pending();
        Future<Integer> b = pending();
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(a, b)).iterator();
        assertThat(listenerCount(a)).isEqualTo(1);
        a.setResult(1);
        b.setResult(2);
        it.next();
        it.next();
        assertThat(it.hasNext()).isFalse();
    }

    /** A huge timeout is no limit, not an overflow. */
    @Test
    void hugeTimeoutIsNoLimit() throws InterruptedException {
        Future<Integer> p = pending();
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(p), Duration.ofDays(365_000)).iterator();
        Thread t = new Thread(() -> p.setResult(1));
        t.start();
        assertThat(it.next()).isSameAs(p);
        t.join();
    }

    /** A thread interrupted in next() gets an unchecked exception caused by InterruptedException, status kept. */
    @Test
    void interruptWhileWaitingThrowsUncheckedAndKeepsStatus() {
        Iterator<Future<Integer>> it = Futures.asCompleted(List.of(FutureStates.<Integer>pending())).iterator();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(it::next).isInstanceOf(RuntimeException.class).hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    /** Null collection or null element is rejected. */
    @Test
    void nullArgumentsAreRejected() {
        assertThatThrownBy(() -> Futures.asCompleted(null)).isInstanceOf(NullPointerException.class);
        List<Future<Integer>> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> Futures.asCompleted(withNull)).isInstanceOf(NullPointerException.class);
    }
}
