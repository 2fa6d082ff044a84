package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.spi.TaskStats;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code cancel(true)} on a running future: the hooks executors implement to stop a running call. */
@Timeout(10)
class FutureStopRunningTest {

    /** A future whose executor can stop its call; counts how often it was asked to. */
    static final class Stoppable<T> extends Future<T> {
        final AtomicInteger stops = new AtomicInteger();

        @Override
        protected boolean canStopRunningCall() {
            return true;
        }

        @Override
        protected void stopRunningCall() {
            stops.incrementAndGet();
        }
    }

    /** A plain future keeps CPython's meaning: a running call is not cancelled, whatever the argument. */
    @Test
    void aPlainRunningFutureIsNotCancelledByCancelTrue() {
        Future<String> f = new Future<>();
        assertThat(f.setRunningOrNotifyCancel()).isTrue();
        assertThat(f.cancel(true)).isFalse();
        assertThat(f.running()).isTrue();
        f.setResult("done");
        assertThat(f.result()).isEqualTo("done");
    }

    /** cancel(true) on a stoppable running future cancels it at once, wakes waiters and stops the call once. */
    @Test
    void cancelTrueOnAStoppableRunningFutureCancelsAndStopsOnce() throws Exception {
        Stoppable<String> f = new Stoppable<>();
        assertThat(f.setRunningOrNotifyCancel()).isTrue();
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch woke = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            waiting.countDown();
            try {
                f.result();
            } catch (CancelledError expected) {
                woke.countDown();
            }
        });
        waiter.start();
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(woke.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancelled()).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(f.cancel()).isTrue();
        assertThat(f.stops.get()).isEqualTo(1);
        // what the call returns later is discarded; setResult reports the state as before
        assertThat(f.trySetResult("late")).isFalse();
        assertThat(f.trySetException(new IllegalStateException("late"))).isFalse();
        assertThatThrownBy(() -> f.setResult("late")).isInstanceOf(InvalidStateError.class);
        waiter.join(5_000);
    }

    /** cancel(false) never stops a running call, even when the executor could. */
    @Test
    void cancelFalseLeavesAStoppableRunningCallAlone() {
        Stoppable<String> f = new Stoppable<>();
        f.setRunningOrNotifyCancel();
        assertThat(f.cancel(false)).isFalse();
        assertThat(f.stops.get()).isZero();
        assertThat(f.trySetResult("v")).isTrue();
        assertThat(f.result(Duration.ZERO)).isEqualTo("v");
    }

    /** cancel(true) on a pending future is an ordinary cancel: nothing to stop. */
    @Test
    void cancelTrueOnAPendingFutureDoesNotStopAnything() {
        Stoppable<String> f = new Stoppable<>();
        assertThat(f.cancel(true)).isTrue();
        assertThat(f.stops.get()).isZero();
        assertThat(f.setRunningOrNotifyCancel()).isFalse();
    }

    /** A finished future is not cancelled by cancel(true). */
    @Test
    void cancelTrueOnAFinishedFutureReturnsFalse() {
        Stoppable<String> f = new Stoppable<>();
        f.setRunningOrNotifyCancel();
        f.setResult("v");
        assertThat(f.cancel(true)).isFalse();
        assertThat(f.stops.get()).isZero();
    }

    /** Racing cancel(true) against completion ends the future in exactly one terminal state. */
    @Test
    void cancelTrueRacingCompletionEndsInOneState() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            Stoppable<Integer> f = new Stoppable<>();
            f.setRunningOrNotifyCancel();
            CountDownLatch go = new CountDownLatch(1);
            boolean[] cancelled = new boolean[1];
            Thread canceller = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                cancelled[0] = f.cancel(true);
            });
            canceller.start();
            go.countDown();
            boolean set = f.trySetResult(i);
            canceller.join(5_000);
            assertThat(set).isNotEqualTo(cancelled[0]);
            assertThat(f.stops.get()).isEqualTo(cancelled[0] ? 1 : 0);
            assertThat(f.cancelled()).isEqualTo(cancelled[0]);
        }
    }

    /** Statistics count a call stopped while running as started and cancelled, neither running nor pending. */
    @Test
    void statisticsCountAStoppedRunningCallOnce() {
        TaskStats stats = new TaskStats();
        TrackedFuture<String> f = new TrackedFuture<>(stats) {
            @Override
            protected boolean canStopRunningCall() {
                return true;
            }
        };
        stats.submitted();
        assertThat(stats.pendingCount()).isEqualTo(1);
        f.setRunningOrNotifyCancel();
        assertThat(stats.runningCount()).isEqualTo(1);
        assertThat(f.cancel(true)).isTrue();
        assertThat(stats.runningCount()).isZero();
        assertThat(stats.pendingCount()).isZero();
        assertThat(stats.cancelledCount()).isEqualTo(1);
        assertThat(stats.completedCount()).isZero();
    }
}
