package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code cancel(true)} on a thread pool's running call interrupts it, and only it. */
@Timeout(60)
class ThreadPoolCancelRunningTest {

    /** cancel(true) on a running call interrupts its thread; the future ends cancelled, the other calls are untouched. */
    @Test
    void cancelTrueInterruptsTheRunningCallAndCancelsOnlyIt() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("cancel-true").build();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        try {
            CountDownLatch bothRunning = new CountDownLatch(2);
            CountDownLatch interrupted = new CountDownLatch(1);
            CountDownLatch releaseOther = new CountDownLatch(1);
            Future<String> victim = pool.submit(() -> {
                bothRunning.countDown();
                try {
                    new CountDownLatch(1).await();
                    return "never";
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    return "interrupted";
                }
            });
            Future<String> other = pool.submit(() -> {
                bothRunning.countDown();
                releaseOther.await();
                return "other done";
            });
            assertThat(bothRunning.await(20, TimeUnit.SECONDS)).isTrue();

            assertThat(victim.cancel(true)).isTrue();
            assertThat(victim.cancelled()).isTrue();
            assertThat(interrupted.await(20, TimeUnit.SECONDS)).as("the call saw the interrupt").isTrue();
            assertThatThrownBy(() -> victim.result(Duration.ofSeconds(5))).isInstanceOf(CancelledError.class);

            assertThat(other.running()).as("the other call runs on").isTrue();
            releaseOther.countDown();
            assertThat(other.result(Duration.ofSeconds(20))).isEqualTo("other done");
            // The worker of the cancelled call serves the next calls, without a stale interrupt.
            for (int i = 0; i < 4; i++) {
                assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).result(Duration.ofSeconds(20)))
                        .isFalse();
            }
            assertThat(pool.taskStats().cancelledCount()).isEqualTo(1);
            assertThat(events).extracting(PoolEvent::type).contains(PoolEvent.Type.CALL_CANCELLED);
        } finally {
            pool.shutdown(true, true);
        }
    }

    /** cancel(false) keeps CPython's meaning: a running call is neither cancelled nor interrupted. */
    @Test
    void cancelFalseLeavesARunningCallAlone() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
        try {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicBoolean sawInterrupt = new AtomicBoolean();
            Future<String> f = pool.submit(() -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    sawInterrupt.set(true);
                }
                return "ran";
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cancel(false)).isFalse();
            assertThat(f.cancel()).isFalse();
            release.countDown();
            assertThat(f.result(Duration.ofSeconds(20))).isEqualTo("ran");
            assertThat(sawInterrupt).isFalse();
        } finally {
            pool.shutdown(true, false);
        }
    }

    /** A call cancelled with cancel(true) whose result arrives anyway: the result is discarded, the future stays cancelled. */
    @Test
    void aLateResultOfACancelledCallIsDiscarded() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
        try {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch returned = new CountDownLatch(1);
            Future<String> f = pool.submit(() -> {
                running.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException ignored) {
                    // returns a value anyway
                }
                returned.countDown();
                return "late";
            });
            assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(f.cancel(true)).isTrue();
            assertThat(returned.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.submit(() -> "next").result(Duration.ofSeconds(20))).isEqualTo("next");
            assertThat(f.cancelled()).isTrue();
            assertThat(pool.taskStats().succeededCount()).isEqualTo(1); // only "next"
        } finally {
            pool.shutdown(true, false);
        }
    }

    /**
     * Regression guard for the race of cancel(true) with the end of the call it targets: the
     * interrupt never reaches the next call the same thread picks up.
     */
    @Test
    void cancelTrueRacingTheEndOfACallNeverInterruptsTheNextCall() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
        try {
            int hits = 0;
            for (int i = 0; i < 3000; i++) {
                CountDownLatch started = new CountDownLatch(1);
                Future<Integer> first = pool.submit(() -> {
                    started.countDown();
                    return 1;
                });
                Future<Boolean> next = pool.submit(() -> Thread.currentThread().isInterrupted());
                assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
                if (first.cancel(true)) {
                    hits++;
                }
                assertThat(next.result(Duration.ofSeconds(20))).as("iteration %d: next call interrupted", i).isFalse();
            }
            // Some iterations must have cancelled the first call while it still ran, or the race was not tried.
            assertThat(hits).as("cancels that hit a running call").isPositive();
        } finally {
            pool.shutdown(true, false);
        }
    }
}
