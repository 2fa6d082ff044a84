package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.spi.PoolControl;
import io.github.futures.spi.Resizable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator's controls of a thread pool ({@link PoolControl}, {@link Resizable}): cancelling the
 * backlog, a dump of its threads, and {@code maxWorkers} changed while calls arrive.
 */
@Timeout(60)
class ThreadPoolControlTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** cancelPending cancels every queued call and returns their number; the running call goes on and finishes. */
    @Test
    void cancelPendingCancelsTheQueuedCallsAndLeavesTheRunningOne() throws Exception {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<String> running = occupy(pool, started, release);
            try {
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                List<Future<Integer>> queued = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    int n = i;
                    queued.add(pool.submit(() -> n));
                }
                assertThat(queued.get(7).cancel()).isTrue(); // cancelled by its owner: not counted again

                assertThat(pool.cancelPending()).isEqualTo(49);

                assertThat(queued).allMatch(Future::cancelled);
                assertThat(running.running()).isTrue();
            } finally {
                release.countDown();
            }
            assertThat(running.result(LIMIT)).isEqualTo("ran");
            assertThat(pool.snapshot().pending()).isZero();
            assertThat(pool.submit(() -> 1).result(LIMIT)).isEqualTo(1); // the pool goes on
        }
    }

    /** cancelPending and shutdown(cancelFutures) racing: every queued call ends cancelled exactly once, the pool terminates. */
    @Test
    void cancelPendingRacingShutdownCancelsEachQueuedCallOnce() throws Exception {
        for (int round = 0; round < 20; round++) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<String> running = occupy(pool, started, release);
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            List<Future<Integer>> queued = new ArrayList<>();
            AtomicInteger callbacks = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                Future<Integer> f = pool.submit(() -> 1);
                f.addDoneCallback(x -> callbacks.incrementAndGet());
                queued.add(f);
            }
            CyclicBarrier go = new CyclicBarrier(2);
            AtomicInteger byControl = new AtomicInteger();
            Thread canceller = new Thread(() -> {
                await(go);
                byControl.set(pool.cancelPending());
            });
            canceller.start();
            await(go);
            try {
                pool.shutdown(false, true);
                canceller.join(30_000L);
                assertThat(canceller.isAlive()).isFalse();
                assertThat(queued).allMatch(Future::cancelled);
                assertThat(byControl.get()).isBetween(0, 100);
            } finally {
                release.countDown();
            }
            assertThat(running.result(LIMIT)).isEqualTo("ran");
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
            assertThat(callbacks.get()).isEqualTo(100); // each ended once: its callback ran once
        }
    }

    /** Submits a call that counts {@code started} down, waits for {@code release} and returns "ran". */
    private static Future<String> occupy(ThreadPoolExecutor pool, CountDownLatch started, CountDownLatch release) {
        return pool.submit(() -> {
            started.countDown();
            release.await();
            return "ran";
        });
    }

    /** The thread dump names every live worker thread and shows the stack of the one running a call. */
    @Test
    void threadDumpShowsEachWorkerThreadAndItsStack() throws Exception {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(2, "dumped")) {
            assertThat(pool.threadDump()).contains("dumped has no live worker thread");
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<Void> f = pool.submit(() -> {
                started.countDown();
                release.await();
                return null;
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            String dump = pool.threadDump();
            release.countDown();
            // Inside the call (about to wait, or waiting): its frames are on the stack either way.
            assertThat(dump).contains("\"dumped_0\"").contains("java.lang.Thread.State: ")
                    .contains(ThreadPoolControlTest.class.getName() + ".lambda$threadDumpShowsEachWorkerThreadAndItsStack");
            f.result(LIMIT);
        }
    }

    /** Growing starts threads for the calls that wait: calls blocked behind a full pool start at once. */
    @Test
    void growingStartsWorkersForTheCallsThatWait() throws Exception {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            CountDownLatch allStarted = new CountDownLatch(3);
            CountDownLatch release = new CountDownLatch(1);
            List<Future<Void>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(() -> {
                    allStarted.countDown();
                    release.await();
                    return null;
                }));
            }
            try {
                assertThat(allStarted.await(300, TimeUnit.MILLISECONDS)).as("three calls at once in a pool of one").isFalse();
                pool.setMaxWorkers(3);
                assertThat(allStarted.await(30, TimeUnit.SECONDS)).as("three calls at once after growing").isTrue();
                assertThat(pool.maxWorkers()).isEqualTo(3);
                assertThat(pool.snapshot().maxWorkers()).isEqualTo(3);
                assertThat(pool.snapshot().config()).containsEntry("maxWorkers", 3);
            } finally {
                release.countDown();
            }
            for (Future<Void> f : calls) {
                f.result(LIMIT);
            }
        }
    }

    /**
     * Shrinking while four threads submit and the size changes again and again: no call is lost, and once the calls
     * that ran during the shrink have ended, no more than the new maxWorkers calls run at once.
     */
    @Test
    void shrinkingRacingSubmitsLosesNoCallAndBoundsConcurrency() throws Exception {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(8)) {
            AtomicInteger now = new AtomicInteger();
            ConcurrentLinkedQueue<Future<Integer>> all = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread s = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 2_000; i++) {
                        int n = i;
                        all.add(pool.submit(() -> {
                            now.incrementAndGet();
                            Thread.onSpinWait();
                            now.decrementAndGet();
                            return n;
                        }));
                    }
                });
                s.start();
                submitters.add(s);
            }
            go.countDown();
            for (int size : new int[] {2, 6, 1, 4, 2}) {
                pool.setMaxWorkers(size);
            }
            for (Thread s : submitters) {
                s.join(30_000L);
                assertThat(s.isAlive()).isFalse();
            }
            assertThat(all).hasSize(8_000);
            for (Future<Integer> f : all) {
                assertThat(f.result(LIMIT)).isBetween(0, 1_999);
            }
            assertThat(pool.snapshot().maxWorkers()).isEqualTo(2);

            // The shrink has settled (every call above ended): at most two calls run at once now.
            CountDownLatch twoStarted = new CountDownLatch(2);
            CountDownLatch thirdStarted = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger order = new AtomicInteger();
            List<Future<Void>> blockers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                blockers.add(pool.submit(() -> {
                    if (order.incrementAndGet() <= 2) {
                        twoStarted.countDown();
                    } else {
                        thirdStarted.countDown();
                    }
                    release.await();
                    return null;
                }));
            }
            try {
                assertThat(twoStarted.await(30, TimeUnit.SECONDS)).isTrue();
                assertThat(thirdStarted.await(500, TimeUnit.MILLISECONDS)).as("a third call ran beside two").isFalse();
                assertThat(pool.snapshot().pending()).isEqualTo(1L);
            } finally {
                release.countDown();
            }
            for (Future<Void> f : blockers) {
                f.result(LIMIT);
            }
            assertThat(pool.snapshot().workers()).isLessThanOrEqualTo(2);
        }
    }

    /** A size below 1, and a resize after shutdown, are refused with messages that say why. */
    @Test
    void invalidSizesAndResizeAfterShutdownAreRefused() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2);
        assertThatThrownBy(() -> pool.setMaxWorkers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWorkers must be at least 1, got 0");
        assertThatThrownBy(() -> pool.setMaxWorkers(-3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(pool.maxWorkers()).isEqualTo(2);
        pool.shutdown();
        assertThatThrownBy(() -> pool.setMaxWorkers(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after shutdown");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
