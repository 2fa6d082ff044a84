package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
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
