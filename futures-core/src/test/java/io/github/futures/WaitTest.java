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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Futures.wait (CPython's test_wait), on futures completed by hand so that every order is chosen. */
@Timeout(30)
class WaitTest {

    /** Runs wait on another thread; returns once that thread has installed its waiters on {@code watch}. */
    private static CompletableFuture<DoneAndNotDone<Future<Integer>>> waitAsync(
            List<Future<Integer>> fs, Duration timeout, ReturnWhen when, Future<Integer> watch) {
        CompletableFuture<DoneAndNotDone<Future<Integer>>> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(Futures.wait(fs, timeout, when));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "waiter");
        t.setDaemon(true);
        t.start();
        while (listenerCount(watch) == 0 && !result.isDone()) {
            Thread.yield(); // the waiter's node on 'watch' is what proves it is waiting
        }
        return result;
    }

    /** ALL_COMPLETED returns once every future is done, finished or cancelled. */
    @Test
    void allCompletedReturnsWhenEveryFutureIsDone() {
        Future<Integer> a = pending();
        Future<Integer> b = running();
        Future<Integer> c = pending();
        Future<Integer> done = finished(1);
        var r = waitAsync(List.of(a, b, c, done), null, ReturnWhen.ALL_COMPLETED, a);
        a.setResult(1);
        c.cancel();
        assertThat(r).isNotDone();
        b.setException(new IllegalStateException());
        var result = r.join();
        assertThat(result.done()).containsExactly(a, b, c, done);
        assertThat(result.notDone()).isEmpty();
    }

    /** FIRST_COMPLETED returns as soon as one future is done. */
    @Test
    void firstCompletedReturnsWhenOneFutureIsDone() {
        Future<Integer> a = pending();
        Future<Integer> b = running();
        var r = waitAsync(List.of(a, b), null, ReturnWhen.FIRST_COMPLETED, a);
        b.setResult(2);
        var result = r.join();
        assertThat(result.done()).containsExactly(b);
        assertThat(result.notDone()).containsExactly(a);
    }

    /** FIRST_COMPLETED returns at once when some futures are done already (finished, failed or cancelled). */
    @Test
    void firstCompletedReturnsAtOnceWhenSomeAreAlreadyDone() {
        for (Future<Integer> done : List.<Future<Integer>>of(finished(1), failed(new IllegalStateException()), cancelled(), cancelledAndNotified())) {
            Future<Integer> p = pending();
            var result = Futures.wait(List.of(p, done), null, ReturnWhen.FIRST_COMPLETED);
            assertThat(result.done()).containsExactly(done);
            assertThat(result.notDone()).containsExactly(p);
        }
    }

    /** A cancelled future counts as done at once: cancelling a waited-for future wakes FIRST_COMPLETED. */
    @Test
    void cancellingAFutureWakesAWaiter() {
        Future<Integer> a = pending();
        Future<Integer> b = pending();
        var r = waitAsync(List.of(a, b), null, ReturnWhen.FIRST_COMPLETED, a);
        a.cancel();
        assertThat(r.join().done()).containsExactly(a);
    }

    /** FIRST_EXCEPTION returns as soon as one future fails, not when one merely finishes. */
    @Test
    void firstExceptionReturnsOnTheFirstFailure() {
        Future<Integer> fine = running();
        Future<Integer> failing = running();
        Future<Integer> slow = running();
        var r = waitAsync(List.of(fine, failing, slow), null, ReturnWhen.FIRST_EXCEPTION, fine);
        fine.setResult(1);
        assertThat(r).isNotDone();
        failing.setException(new IllegalStateException());
        var result = r.join();
        assertThat(result.done()).containsExactly(fine, failing);
        assertThat(result.notDone()).containsExactly(slow);
    }

    /** FIRST_EXCEPTION returns at once when a future has already failed. */
    @Test
    void firstExceptionReturnsAtOnceWhenOneAlreadyFailed() {
        Future<Integer> failedAlready = failed(new IllegalStateException());
        Future<Integer> p = pending();
        var result = Futures.wait(List.of(finished(1), failedAlready, p), null, ReturnWhen.FIRST_EXCEPTION);
        assertThat(result.done()).hasSize(2).contains(failedAlready);
        assertThat(result.notDone()).containsExactly(p);
    }

    /** FIRST_EXCEPTION without any failure behaves as ALL_COMPLETED; cancellation is no exception. */
    @Test
    void firstExceptionWithoutFailureWaitsForAll() {
        Future<Integer> a = pending();
        Future<Integer> b = pending();
        var r = waitAsync(List.of(a, b), null, ReturnWhen.FIRST_EXCEPTION, a);
        a.cancel();
        assertThat(r).isNotDone();
        b.setResult(2);
        var result = r.join();
        assertThat(result.done()).containsExactly(a, b);
        assertThat(result.notDone()).isEmpty();
    }

    /** With a timeout, wait returns what is done by then, without an exception. */
    @Test
    void timeoutReturnsWithoutException() {
        Future<Integer> done = finished(1);
        Future<Integer> p = pending();
        long t0 = System.nanoTime();
        var result = Futures.wait(List.of(done, p), Duration.ofMillis(100));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(result.done()).containsExactly(done);
        assertThat(result.notDone()).containsExactly(p);
        assertThat(Futures.wait(List.of(p), Duration.ZERO, ReturnWhen.FIRST_COMPLETED).notDone()).containsExactly(p);
        assertThat(Futures.wait(List.of(p), Duration.ofSeconds(-1), ReturnWhen.FIRST_EXCEPTION).notDone()).containsExactly(p);
    }

    /** A huge timeout is no limit, not an overflow. */
    @Test
    void hugeTimeoutMeansNoLimit() {
        Future<Integer> p = running();
        var r = waitAsync(List.of(p), Duration.ofDays(365_000), ReturnWhen.ALL_COMPLETED, p);
        p.setResult(1);
        assertThat(r.join().done()).containsExactly(p);
    }

    /** Duplicates in the collection count once (CPython's test_20369). */
    @Test
    void duplicatesCountOnce() {
        Future<Integer> f = finished(1);
        var result = Futures.wait(List.of(f, f, f));
        assertThat(result.done()).containsExactly(f);
        Future<Integer> p = pending();
        var r = waitAsync(List.of(p, p), null, ReturnWhen.ALL_COMPLETED, p);
        p.setResult(2);
        var done = r.join();
        assertThat(done.done()).containsExactly(p);
        assertThat(done.notDone()).isEmpty();
    }

    /**
     * Duplicates anywhere in a large collection (any kind of collection) count once, and the
     * result keeps the order of first occurrences.
     */
    @Test
    void duplicatesFarApartCountOnceInFirstOccurrenceOrder() {
        List<Future<Integer>> distinct = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            distinct.add(finished(i));
        }
        java.util.ArrayDeque<Future<Integer>> withDuplicates = new java.util.ArrayDeque<>(distinct);
        for (int i = distinct.size() - 1; i >= 0; i -= 3) {
            withDuplicates.add(distinct.get(i));
        }
        withDuplicates.addFirst(distinct.get(5)); // a duplicate of a later element comes first
        var result = Futures.wait(withDuplicates);
        List<Future<Integer>> expected = new java.util.ArrayList<>();
        expected.add(distinct.get(5));
        for (Future<Integer> f : distinct) {
            if (f != distinct.get(5)) {
                expected.add(f);
            }
        }
        assertThat(result.done()).hasSize(300).containsExactlyElementsOf(expected);
        assertThat(result.notDone()).isEmpty();
        List<Future<Integer>> noDuplicates = List.copyOf(distinct);
        assertThat(Futures.wait(noDuplicates).done()).containsExactlyElementsOf(distinct);
    }

    /** The waiter installed on each future is removed when wait returns, by timeout or by success. */
    @Test
    void waiterIsRemovedAfterwards() {
        Future<Integer> a = pending();
        Future<Integer> b = pending();
        Futures.wait(List.of(a, b), Duration.ofMillis(20));
        assertThat(listenerCount(a)).isZero();
        assertThat(listenerCount(b)).isZero();
        var r = waitAsync(List.of(a, b), null, ReturnWhen.FIRST_COMPLETED, b);
        a.setResult(1);
        r.join();
        assertThat(listenerCount(b)).as("waiter left on the future still pending").isZero();
        for (int i = 0; i < 100; i++) {
            Futures.wait(List.of(b), Duration.ZERO);
            Futures.wait(List.of(a, b), null, ReturnWhen.FIRST_COMPLETED);
        }
        assertThat(listenerCount(b)).as("repeated waits pile nothing up").isZero();
    }

    /** Regression: wait(empty, FIRST_COMPLETED) waited for ever; an empty collection is done at once, as in CPython. */
    @Test
    @Timeout(10)
    void emptyCollectionWithFirstCompletedDoesNotWaitForever() {
        for (ReturnWhen when : ReturnWhen.values()) {
            var result = Futures.wait(List.<Future<Integer>>of(), null, when);
            assertThat(result.done()).as(when.name()).isEmpty();
            assertThat(result.notDone()).as(when.name()).isEmpty();
        }
    }

    /** Bad arguments: null collection, null element, null condition. */
    @Test
    void nullArgumentsAreRejected() {
        assertThatThrownBy(() -> Futures.wait(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(Arrays.asList(finished(1), null))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Futures.wait(List.of(finished(1)), null, null)).isInstanceOf(NullPointerException.class);
    }

    /** A thread interrupted in wait gets an unchecked exception caused by InterruptedException, status kept. */
    @Test
    void interruptWhileWaitingThrowsUncheckedAndKeepsStatus() throws InterruptedException {
        Future<Integer> p = pending();
        CountDownLatch finished = new CountDownLatch(1);
        List<Object> seen = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                Futures.wait(List.of(p));
            } catch (CompletionException e) {
                seen.add(e.getCause());
                seen.add(Thread.currentThread().isInterrupted());
            }
            finished.countDown();
        });
        t.start();
        while (listenerCount(p) == 0) {
            Thread.yield();
        }
        t.interrupt();
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.get(0)).isInstanceOf(InterruptedException.class);
        assertThat(seen.get(1)).isEqualTo(true);
        assertThat(listenerCount(p)).isZero();
    }

    /** A thread in wait() without a timeout is parked (WAITING), not polling on a timer. */
    @Test
    void waitingThreadIsParkedNotPolling() {
        Future<Integer> p = pending();
        Thread[] waiter = new Thread[1];
        CompletableFuture<DoneAndNotDone<Future<Integer>>> r = new CompletableFuture<>();
        waiter[0] = new Thread(() -> r.complete(Futures.wait(List.of(p))));
        waiter[0].start();
        while (listenerCount(p) == 0) {
            Thread.yield();
        }
        while (waiter[0].getState() == Thread.State.RUNNABLE) {
            Thread.yield();
        }
        assertThat(waiter[0].getState()).isEqualTo(Thread.State.WAITING);
        p.setResult(1);
        assertThat(r.join().done()).containsExactly(p);
    }

    /** Futures from several sources mix; the returned sets keep the collection's order. */
    @Test
    void resultSetsKeepTheOrderOfTheCollection() {
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            fs.add(i % 3 == 0 ? pending() : finished(i));
        }
        var result = Futures.wait(fs, Duration.ZERO);
        assertThat(new ArrayList<>(result.done())).isEqualTo(fs.stream().filter(Future::done).toList());
        assertThat(new ArrayList<>(result.notDone())).isEqualTo(fs.stream().filter(f -> !f.done()).toList());
    }
}
