package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code callTimeout} on the thread pool: a call running too long fails, is interrupted, and if deaf, abandoned. */
@Timeout(60)
class ThreadPoolCallTimeoutTest {

    /** A call running past its timeout fails with TimeoutError naming the timeout, and its thread is interrupted. */
    @Test
    void aCallRunningTooLongFailsWithTimeoutErrorAndIsInterrupted() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).callTimeout(Duration.ofMillis(250)).build();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        try {
            CountDownLatch interrupted = new CountDownLatch(1);
            Future<String> f = pool.submit(() -> {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return "too late";
            });
            assertThatThrownBy(() -> f.result(Duration.ofSeconds(20)))
                    .isInstanceOf(TimeoutError.class)
                    .hasMessage("call exceeded its call timeout of 250ms");
            assertThat(interrupted.await(20, TimeUnit.SECONDS)).isTrue();
            // The same worker serves the next call, not interrupted.
            assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).result(Duration.ofSeconds(20))).isFalse();
            assertThat(pool.taskStats().timedOutCount()).isEqualTo(1);
            assertThat(events).extracting(PoolEvent::type).contains(PoolEvent.Type.CALL_TIMED_OUT);
            assertThat(pool.snapshot().config()).containsEntry("callTimeout", "250ms").containsEntry("abandonedThreads", 0);
        } finally {
            pool.shutdown(true, false);
        }
    }

    /** Calls that end in time are untouched by the timeout. */
    @Test
    void callsEndingInTimeKeepTheirResults() {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(2).callTimeout(Duration.ofSeconds(30)).build();
        try {
            for (int i = 0; i < 200; i++) {
                int n = i;
                assertThat(pool.submit(() -> n * 2).result(Duration.ofSeconds(20))).isEqualTo(n * 2);
            }
            assertThat(pool.taskStats().timedOutCount()).isZero();
        } finally {
            pool.shutdown(true, false);
        }
    }

    /**
     * An endless call that ignores interrupts is abandoned after its timeout: with maxWorkers=1 the
     * pool serves further calls on a new thread, logs a warning naming pool, thread and call, and
     * shutdown(wait=true) returns while the abandoned thread still runs.
     */
    @Test
    void anUninterruptibleEndlessCallIsAbandonedAndThePoolServesOn() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).threadNamePrefix("deaf")
                .callTimeout(Duration.ofMillis(200)).build();
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        pool.taskStats().addEventListener(events::add);
        AtomicReference<Thread> deafThread = new AtomicReference<>();
        CountDownLatch stop = new CountDownLatch(1);
        try (PoolLogCapture log = new PoolLogCapture()) {
            Future<String> deaf = pool.submit(new DeafCall(deafThread, stop));
            assertThatThrownBy(() -> deaf.result(Duration.ofSeconds(20))).isInstanceOf(TimeoutError.class)
                    .hasMessage("call exceeded its call timeout of 200ms");

            // maxWorkers=1 and its only thread is stuck: served anyway, by a new worker.
            Future<String> next = pool.submit(() -> Thread.currentThread().getName());
            assertThat(next.result(Duration.ofSeconds(20))).isEqualTo("deaf_1");
            assertThat(deafThread.get().isAlive()).isTrue();

            assertThat(log.warningsContaining("deaf_0")).singleElement().satisfies(m -> assertThat(m)
                    .contains("deaf", "abandoned", "200ms", "DeafCall"));
            assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.WORKER_REPLACED)
                    .singleElement().extracting(PoolEvent::reason).isEqualTo("timeout");
            assertThat(pool.taskStats().replacedCounts()).containsEntry("timeout", 1L);
            assertThat(pool.snapshot().config()).containsEntry("abandonedThreads", 1);
            assertThat(pool.snapshot().workerDetails()).extracting(w -> w.name()).doesNotContain("deaf_0");

            pool.shutdown(true, false); // returns although the abandoned thread still runs
            assertThat(pool.awaitTermination(Duration.ZERO)).isTrue();
            assertThat(deafThread.get().isAlive()).as("abandoned thread still running").isTrue();
        } finally {
            stop.countDown();
            pool.shutdown(true, false);
        }
        deafThread.get().join(TimeUnit.SECONDS.toMillis(20));
        assertThat(deafThread.get().isAlive()).as("the abandoned thread ends when its call returns").isFalse();
    }

    /**
     * A worker that ran calls just before the one it is abandoned in: the pool still terminates. (A
     * worker releases the units of its ended calls together; abandoning it must release those too.)
     */
    @Test
    void aWorkerAbandonedAfterEarlierCallsStillLetsThePoolTerminate() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).threadNamePrefix("deaf-later")
                .callTimeout(Duration.ofMillis(200)).build();
        AtomicReference<Thread> deafThread = new AtomicReference<>();
        CountDownLatch stop = new CountDownLatch(1);
        try (PoolLogCapture log = new PoolLogCapture()) {
            // Queued behind a gate, so that the worker runs them and then the deaf call without parking
            // in between (a worker releases its ended calls' units when it parks).
            CountDownLatch gate = new CountDownLatch(1);
            Future<Boolean> gated = pool.submit(() -> gate.await(20, TimeUnit.SECONDS));
            List<Future<Integer>> earlier = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                earlier.add(pool.submit(() -> n));
            }
            Future<String> deaf = pool.submit(new DeafCall(deafThread, stop));
            gate.countDown();
            assertThat(gated.result(Duration.ofSeconds(20))).isTrue();
            for (int i = 0; i < 5; i++) {
                assertThat(earlier.get(i).result(Duration.ofSeconds(20))).isEqualTo(i);
            }
            assertThatThrownBy(() -> deaf.result(Duration.ofSeconds(20))).isInstanceOf(TimeoutError.class);
            assertThat(pool.submit(() -> "served").result(Duration.ofSeconds(20))).isEqualTo("served");
            assertThat(deafThread.get().getName()).isEqualTo("deaf-later_0");

            pool.shutdown(false, false);
            assertThat(pool.awaitTermination(Duration.ofSeconds(20))).as("terminated").isTrue();
            assertThat(deafThread.get().isAlive()).as("abandoned thread still running").isTrue();
        } finally {
            stop.countDown();
            pool.shutdown(false, false); // not wait=true: a pool that cannot terminate must not hang the test
        }
        deafThread.get().join(TimeUnit.SECONDS.toMillis(20));
        assertThat(deafThread.get().isAlive()).as("the abandoned thread ends when its call returns").isFalse();
    }

    /** A builder refuses a zero or negative timeout, saying how to have none. */
    @Test
    void zeroOrNegativeCallTimeoutIsRefused() {
        assertThatThrownBy(() -> ThreadPoolExecutor.builder().callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout must be positive");
        assertThatThrownBy(() -> ThreadPoolExecutor.builder().callTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null for no call timeout");
    }

    /** Timeouts are printed as people write them. */
    @Test
    void timeoutsArePrintedShort() {
        assertThat(CallTimeouts.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(CallTimeouts.format(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(CallTimeouts.format(Duration.ofMinutes(3))).isEqualTo("3m");
        assertThat(CallTimeouts.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    /** A call that ignores interrupts until told to stop (parks, so it does not burn a CPU). */
    private static final class DeafCall implements java.util.concurrent.Callable<String> {
        private final AtomicReference<Thread> thread;
        private final CountDownLatch stop;

        DeafCall(AtomicReference<Thread> thread, CountDownLatch stop) {
            this.thread = thread;
            this.stop = stop;
        }

        @Override
        public String call() {
            thread.set(Thread.currentThread());
            while (stop.getCount() > 0) {
                Thread.interrupted(); // deaf to interrupts
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            return "finally";
        }

        @Override
        public String toString() {
            return "DeafCall";
        }
    }
}
