package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import io.github.futures.spi.ExecutorSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process pool of 2 workers with 2 000 calls (-Dstress.processTasks=N), one worker killed with
 * {@code kill -9} midway: every call before the middle succeeds, every pending one fails with
 * {@link BrokenProcessPool} (or stays cancelled if it was cancelled first) within one second of the
 * kill, each future ends once, and nothing hangs.
 *
 * <p>"Midway" is made exact: every call from the middle on first fires a signal and then waits at a
 * gate. Workers run their calls in order, so once two calls have fired (one per worker), every
 * earlier call has run and every later one is queued or pipelined, not started. The test then cancels
 * every tenth pending call and kills one worker.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProcessPoolStressTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    /** Every pending future fails with BrokenProcessPool within one second of kill -9 on one worker. */
    @Test
    void killMinus9OfOneWorkerFailsEveryPendingFutureWithinASecond() throws Exception {
        int n = Integer.getInteger("stress.processTasks", 2_000);
        int middle = n / 2;
        AtomicIntegerArray callbackCalls = new AtomicIntegerArray(n);
        AtomicLongArray doneAt = new AtomicLongArray(n);
        // Futures.wait may return before the completing thread has run the done callbacks (waiters
        // are told first), so the callbacks' own count is awaited before anything reads their records.
        CountDownLatch callbacksRan = new CountDownLatch(n);
        List<Future<Integer>> futures = new ArrayList<>(n);
        Gate gate = Gate.create();
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2).build();
        try (Signal blocked = Signal.create()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int index = i;
                SerializableCallable<Integer> call = i < middle ? () -> index : () -> {
                    blocked.fire();
                    gate.await();
                    return index;
                };
                Future<Integer> f = pool.submit(call);
                f.addDoneCallback(done -> {
                    doneAt.compareAndSet(index, 0L, System.nanoTime());
                    callbackCalls.incrementAndGet(index);
                    callbacksRan.countDown();
                });
                futures.add(f);
            }
            long submitNanos = System.nanoTime() - t0;
            blocked.awaitCount(2, LONG);
            long firstHalfNanos = System.nanoTime() - t0;
            List<Long> pids = Processes.workerPids(pool);
            assertThat(pids).hasSize(2);

            // Cancel every tenth call of the second half: those still queued are cancelled; the
            // two running and any pipelined to a worker are running, so cancel() says false.
            int cancelledByTest = 0;
            boolean[] cancelTrue = new boolean[n];
            for (int i = middle; i < n; i += 10) {
                if (futures.get(i).cancel()) {
                    cancelTrue[i] = true;
                    cancelledByTest++;
                }
            }

            long victim = pids.get(0);
            long killAt = System.nanoTime();
            Processes.kill9(victim);
            List<Future<Integer>> secondHalf = futures.subList(middle, n);
            assertThat(Futures.wait(secondHalf, LONG).notDone()).as("second half done after the kill").isEmpty();
            assertThat(callbacksRan.await(LONG.toSeconds(), TimeUnit.SECONDS)).as("every done callback ran").isTrue();
            long lastDoneAfterKill = 0;
            for (int i = middle; i < n; i++) {
                if (!cancelTrue[i]) {
                    lastDoneAfterKill = Math.max(lastDoneAfterKill, doneAt.get(i) - killAt);
                }
            }
            gate.open();

            // Every future: exactly one terminal state, one callback, the state the plan says.
            assertThat(Futures.wait(futures, LONG).notDone()).isEmpty();
            int succeeded = 0;
            int broken = 0;
            int cancelled = 0;
            for (int i = 0; i < n; i++) {
                Future<Integer> f = futures.get(i);
                if (callbackCalls.get(i) != 1) {
                    fail("future %d: %d callbacks", i, callbackCalls.get(i));
                }
                if (i < middle) {
                    if (f.cancelled() || f.exception(Duration.ZERO) != null || f.result(Duration.ZERO) != i) {
                        fail("call %d ran before the kill and must have succeeded: %s", i, f);
                    }
                    succeeded++;
                } else if (cancelTrue[i]) {
                    assertThat(f.cancelled()).as("future %d was cancelled", i).isTrue();
                    cancelled++;
                } else {
                    Throwable e = f.exception(Duration.ZERO);
                    if (!(e instanceof BrokenProcessPool)) {
                        fail("pending call %d ended with %s instead of BrokenProcessPool", i, e);
                    }
                    broken++;
                }
            }
            String brokenMessage = String.valueOf(futures.get(n - 1).exception(Duration.ZERO));
            ExecutorSnapshot snap = pool.snapshot();

            // The pool is broken, refuses work, and shuts down without hanging; no worker survives.
            assertThat(snap.state()).isEqualTo(ExecutorSnapshot.BROKEN);
            assertThat(snap.brokenReason()).contains("pid " + victim).contains("SIGKILL");
            assertThatThrownBy(() -> pool.submit((SerializableCallable<Integer>) () -> 1)).isInstanceOf(BrokenProcessPool.class);
            Thread shutdown = new Thread(() -> pool.shutdown(true, false), "process-stress-shutdown");
            shutdown.start();
            shutdown.join(LONG.toMillis());
            assertThat(shutdown.isAlive()).as("shutdown(true, false) returned").isFalse();
            for (long pid : pids) {
                assertThat(Processes.awaitExit(pid, Duration.ofSeconds(5))).as("worker %d gone", pid).isPresent();
            }

            System.out.printf("[reliability] ProcessPoolStressTest tasks=%d workers=2 submit=%.0fms firstHalfRun=%.0fms"
                            + " succeeded=%d cancelledBeforeKill=%d brokenProcessPool=%d lastFailureAfterKill=%.1fms"
                            + " stats(submitted=%d succeeded=%d failed=%d cancelled=%d) message=%s%n",
                    n, submitNanos / 1e6, firstHalfNanos / 1e6, succeeded, cancelled, broken, lastDoneAfterKill / 1e6,
                    snap.submitted(), snap.succeeded(), snap.failed(), snap.cancelled(), brokenMessage);

            assertThat(succeeded).isEqualTo(middle);
            assertThat(succeeded + cancelled + broken).isEqualTo(n);
            assertThat(cancelled).isEqualTo(cancelledByTest).isPositive();
            assertThat(broken).isPositive();
            assertThat(Duration.ofNanos(lastDoneAfterKill)).as("last pending future failed after the kill")
                    .isLessThan(Duration.ofSeconds(1));
            assertThat(snap.submitted()).isEqualTo(n);
            assertThat(snap.succeeded()).isEqualTo(succeeded);
            assertThat(snap.failed()).isEqualTo(broken);
            assertThat(snap.cancelled()).isEqualTo(cancelled);
        } finally {
            gate.open();
            pool.killWorkers();
        }
    }
}
