package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A call waiting for its own pool while every worker does the same is reported once; CPython just hangs. */
@Timeout(60)
class ThreadPoolDeadlockWarningTest {

    /** maxWorkers=1, a call that submits to its own pool and waits for the result: one warning naming pool and thread. */
    @Test
    void waitingForTheOwnPoolWithOneWorkerWarnsOnce() {
        assertWarnsOnceWhileWaiting(inner -> inner.result(Duration.ofMillis(500)));
    }

    /** The same wait through exception(timeout) is noticed too. */
    @Test
    void waitingThroughExceptionIsNoticed() {
        assertWarnsOnceWhileWaiting(inner -> inner.exception(Duration.ofMillis(500)));
    }

    /** The same wait through Futures.wait is noticed too. */
    @Test
    void waitingThroughFuturesWaitIsNoticed() {
        assertWarnsOnceWhileWaiting(inner -> {
            assertThat(Futures.wait(List.of(inner), Duration.ofMillis(500)).notDone()).hasSize(1);
            throw new TimeoutError("not done");
        });
    }

    /** The same wait through asCompleted is noticed too. */
    @Test
    void waitingThroughAsCompletedIsNoticed() {
        assertWarnsOnceWhileWaiting(inner -> Futures.asCompleted(List.of(inner), Duration.ofMillis(500)).iterator().next());
    }

    private static void assertWarnsOnceWhileWaiting(Consumer<Future<String>> waitFor) {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).threadNamePrefix("selfwait").build();
        try (PoolLogCapture log = new PoolLogCapture()) {
            Future<String> outer = pool.submit(() -> {
                Future<String> inner = pool.submit(() -> "inner");
                try {
                    waitFor.accept(inner);
                    return "inner finished";
                } catch (TimeoutError expected) {
                    return "timed out";
                }
            });
            assertThat(outer.result(Duration.ofSeconds(30))).isEqualTo("timed out");
            assertThat(log.warningsContaining("possible deadlock")).singleElement()
                    .satisfies(m -> assertThat(m).contains("selfwait", "[selfwait_0]", "maxWorkers=1"));
        } finally {
            pool.shutdown(true, false);
        }
    }

    /** maxWorkers=2, both calls waiting for their own pool: one warning naming both threads. */
    @Test
    void twoWorkersBothWaitingForTheirPoolWarnOnce() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("pairwait").build();
        try (PoolLogCapture log = new PoolLogCapture()) {
            CountDownLatch bothRunning = new CountDownLatch(2);
            Runnable outer = () -> {
                bothRunning.countDown();
                try {
                    assertThat(bothRunning.await(20, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                Future<String> inner = pool.submit(() -> "inner");
                assertThatThrownBy(() -> inner.result(Duration.ofSeconds(2))).isInstanceOf(TimeoutError.class);
            };
            Future<Void> a = pool.submit(outer);
            Future<Void> b = pool.submit(outer);
            // Both wait: the first to time out ends the episode; whichever waits longer may see its inner call run.
            a.exception(Duration.ofSeconds(30));
            b.exception(Duration.ofSeconds(30));
            assertThat(log.warningsContaining("possible deadlock")).singleElement()
                    .satisfies(m -> assertThat(m).contains("pairwait", "pairwait_0", "pairwait_1", "maxWorkers=2"));
        } finally {
            pool.shutdown(true, false);
        }
    }

    /**
     * maxWorkers=2, both calls waiting for their pool's end (awaitTermination, 2 s) while a third call
     * is queued: nobody can run it, so one warning naming both threads; a wait then ends by its limit
     * (not ended) and the queued call runs.
     */
    @Test
    void everyWorkerWaitingForTheEndWhileACallIsQueuedWarnsOnce() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("endwait").build();
        try (PoolLogCapture log = new PoolLogCapture()) {
            CountDownLatch bothRunning = new CountDownLatch(2);
            CountDownLatch queued = new CountDownLatch(1);
            Callable<Boolean> waitForTheEnd = () -> {
                bothRunning.countDown();
                assertThat(queued.await(20, TimeUnit.SECONDS)).isTrue();
                pool.shutdown(false, false);
                return pool.awaitTermination(Duration.ofSeconds(2));
            };
            Future<Boolean> a = pool.submit(waitForTheEnd);
            Future<Boolean> b = pool.submit(waitForTheEnd);
            assertThat(bothRunning.await(20, TimeUnit.SECONDS)).isTrue();
            Future<String> third = pool.submit(() -> "ran");
            queued.countDown();
            // The first wait to reach its limit says not ended; its worker then runs the queued call, and
            // the other wait may see the end before its own limit.
            assertThat(List.of(a.result(Duration.ofSeconds(30)), b.result(Duration.ofSeconds(30))))
                    .as("a wait ended by its limit").contains(false);
            assertThat(third.result(Duration.ofSeconds(30))).isEqualTo("ran");
            assertThat(log.warningsContaining("possible deadlock")).singleElement()
                    .satisfies(m -> assertThat(m).contains("endwait", "endwait_0", "endwait_1", "maxWorkers=2",
                            "for the pool's end while calls are queued"));
            assertThat(pool.awaitTermination(Duration.ofSeconds(30))).isTrue();
        } finally {
            pool.shutdown(true, true);
        }
    }

    /**
     * maxWorkers=2, both calls shutting their pool down with wait=true and nothing queued: the waits
     * return by themselves (neither waits for the other), so nothing is reported.
     */
    @Test
    void everyWorkerWaitingForTheEndWithNothingQueuedIsNotReported() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("endfree").build();
        try (PoolLogCapture log = new PoolLogCapture()) {
            CountDownLatch bothRunning = new CountDownLatch(2);
            Callable<String> shutDown = () -> {
                bothRunning.countDown();
                assertThat(bothRunning.await(20, TimeUnit.SECONDS)).isTrue();
                pool.shutdown(); // wait=true
                return "returned";
            };
            Future<String> a = pool.submit(shutDown);
            Future<String> b = pool.submit(shutDown);
            assertThat(a.result(Duration.ofSeconds(30))).isEqualTo("returned");
            assertThat(b.result(Duration.ofSeconds(30))).isEqualTo("returned");
            assertThat(pool.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(log.warningsContaining("possible deadlock")).isEmpty();
        } finally {
            pool.shutdown(true, true);
        }
    }

    /**
     * maxWorkers=2, one call waiting for its pool's end and the other waiting for the first's future:
     * each waits for the other though nothing is queued, so one warning naming both threads, and the
     * one waiting for the end among them; both waits then end by their limits.
     */
    @Test
    void aWaitForTheEndAndAWaitForItsCallWarnThoughNothingIsQueued() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("mixwait").build();
        try (PoolLogCapture log = new PoolLogCapture()) {
            CountDownLatch firstRunning = new CountDownLatch(1);
            CountDownLatch secondWaits = new CountDownLatch(1);
            Future<Boolean> first = pool.submit(() -> {
                firstRunning.countDown();
                assertThat(secondWaits.await(20, TimeUnit.SECONDS)).isTrue();
                pool.shutdown(false, false);
                return pool.awaitTermination(Duration.ofSeconds(2));
            });
            assertThat(firstRunning.await(20, TimeUnit.SECONDS)).isTrue();
            Future<String> second = pool.submit(() -> {
                secondWaits.countDown();
                try {
                    first.result(Duration.ofSeconds(4));
                    return "first ended";
                } catch (TimeoutError e) {
                    return "timed out";
                }
            });
            assertThat(first.result(Duration.ofSeconds(30))).as("the first's wait ended by its limit").isFalse();
            assertThat(second.result(Duration.ofSeconds(30))).isEqualTo("first ended");
            assertThat(log.warningsContaining("possible deadlock")).singleElement()
                    .satisfies(m -> assertThat(m).contains("mixwait_0", "mixwait_1", "maxWorkers=2",
                            "for a future of the same pool or for the pool's end", "waiting for the pool's end: [mixwait_0]"));
        } finally {
            pool.shutdown(true, true);
        }
    }

    /** A call waiting for its own pool while a worker is free to run the awaited call is not reported. */
    @Test
    void waitingWhileAWorkerIsFreeIsNotReported() {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("freewait").build();
        try (PoolLogCapture log = new PoolLogCapture()) {
            Future<String> outer = pool.submit(() -> pool.submit(() -> "inner").result(Duration.ofSeconds(20)));
            assertThat(outer.result(Duration.ofSeconds(30))).isEqualTo("inner");
            assertThat(log.warningsContaining("possible deadlock")).isEmpty();
        } finally {
            pool.shutdown(true, false);
        }
    }
}
