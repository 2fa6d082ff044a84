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
 * A process pool of 2 workers under 2 000 calls (-Dstress.processTasks=N) with one worker killed by
 * {@code kill -9} midway: every pending future fails with {@link BrokenProcessPool} (or stays
 * cancelled if it was cancelled first) within one second of the kill, each future ends once, and
 * nothing hangs.
 *
 * <p>The first test makes "midway" exact: every call from the middle on first fires a signal and then
 * waits at a gate. Workers run their calls in order, so once two calls have fired (one per worker),
 * every earlier call has run and every later one is queued or pipelined, not started. The test then
 * cancels every tenth pending call and kills one worker. The second test has the thread-pool
 * stress's shape: concurrent submitters and cancellers, the kill landing among the submits.
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

    /**
     * The thread-pool stress's shape on a process pool: 4 threads submit 2 000 calls of about 1 ms,
     * 2 threads cancel random futures, and when half the submits have been made one worker is killed
     * with kill -9. Every future ends once, as a result, a cancellation or BrokenProcessPool (within a
     * second of the kill); submits after the break throw BrokenProcessPool; submitted = succeeded +
     * failed + cancelled + rejected-at-submit.
     */
    @Test
    void concurrentSubmittersAndCancellersWithAKillMidway() throws Exception {
        int n = Integer.getInteger("stress.processTasks", 2_000);
        int submitters = 4;
        java.util.concurrent.atomic.AtomicReferenceArray<Future<Integer>> futures =
                new java.util.concurrent.atomic.AtomicReferenceArray<>(n);
        AtomicIntegerArray callbackCalls = new AtomicIntegerArray(n);
        AtomicLongArray doneAt = new AtomicLongArray(n);
        AtomicIntegerArray cancelTrue = new AtomicIntegerArray(n);
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();
        java.util.concurrent.atomic.AtomicReference<Throwable> unexpected = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch midway = new CountDownLatch(1);
        CountDownLatch submittersDone = new CountDownLatch(submitters);
        java.util.concurrent.atomic.AtomicLong killAt = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong victim = new java.util.concurrent.atomic.AtomicLong(-1);
        CountDownLatch someSucceeded = new CountDownLatch(50);
        java.util.concurrent.Semaphore callbacksRan = new java.util.concurrent.Semaphore(0);
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2).build();
        List<Thread> threads = new ArrayList<>();
        try {
            // Start both workers first, so that calls complete while the submitters are still busy.
            Gate warm = Gate.create();
            List<Future<Integer>> warmUp = List.of(pool.submit((SerializableCallable<Integer>) () -> {
                warm.await();
                return 0;
            }), pool.submit((SerializableCallable<Integer>) () -> {
                warm.await();
                return 0;
            }));
            warm.open();
            assertThat(Futures.wait(warmUp, LONG).notDone()).isEmpty();
            for (int k = 0; k < submitters; k++) {
                int first = k;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = first; i < n; i += submitters) {
                            int index = i;
                            if (attempts.incrementAndGet() == n / 2) {
                                midway.countDown();
                            }
                            if (i % 40 == first) {
                                Thread.sleep(1); // pace the submits so that the kill lands among them
                            }
                            Future<Integer> f;
                            try {
                                f = pool.submit((SerializableCallable<Integer>) () -> {
                                    Thread.sleep(1);
                                    return index;
                                });
                            } catch (BrokenProcessPool refused) {
                                rejected.increment();
                                continue;
                            }
                            futures.set(index, f);
                            f.addDoneCallback(done -> {
                                doneAt.compareAndSet(index, 0L, System.nanoTime());
                                callbackCalls.incrementAndGet(index);
                                callbacksRan.release();
                                if (!done.cancelled() && done.exception(Duration.ZERO) == null) {
                                    someSucceeded.countDown();
                                }
                            });
                        }
                    } catch (Throwable t) {
                        unexpected.compareAndSet(null, t);
                    } finally {
                        submittersDone.countDown();
                    }
                }, "process-stress-submitter-" + k));
            }
            for (int c = 0; c < 2; c++) {
                threads.add(new Thread(() -> {
                    java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
                    try {
                        while (submittersDone.getCount() > 0) {
                            int i = rnd.nextInt(Math.max(1, Math.min(n, attempts.get())));
                            Future<Integer> f = futures.get(i);
                            if (f != null && f.cancel()) {
                                cancelTrue.set(i, 1);
                            }
                            Thread.yield();
                        }
                    } catch (Throwable t) {
                        unexpected.compareAndSet(null, t);
                    }
                }, "process-stress-canceller-" + c));
            }
            threads.add(new Thread(() -> {
                try {
                    if (!midway.await(60, TimeUnit.SECONDS)) {
                        throw new AssertionError("submitters never reached the middle");
                    }
                    // Kill when some calls have completed, so that every outcome occurs (bounded: a
                    // pool that completes nothing is caught by the assertions below).
                    someSucceeded.await(30, TimeUnit.SECONDS);
                    List<Long> pids = Processes.workerPids(pool);
                    long pid = pids.get(0);
                    victim.set(pid);
                    killAt.set(System.nanoTime());
                    Processes.kill9(pid);
                } catch (Throwable t) {
                    unexpected.compareAndSet(null, t);
                }
            }, "process-stress-killer"));
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(LONG.toMillis());
                assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
            }
            if (unexpected.get() != null) {
                throw new AssertionError("a stress thread failed", unexpected.get());
            }
            // However the race went, the pool is broken now, and says so to the next submit.
            List<Future<Integer>> accepted = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (futures.get(i) != null) {
                    accepted.add(futures.get(i));
                }
            }
            assertThat(Futures.wait(accepted, LONG).notDone()).as("futures left pending").isEmpty();
            assertThatThrownBy(() -> pool.submit((SerializableCallable<Integer>) () -> 1)).isInstanceOf(BrokenProcessPool.class);
            // The completing thread runs done callbacks just after it wakes the waiters: await them.
            assertThat(callbacksRan.tryAcquire(accepted.size(), LONG.toSeconds(), TimeUnit.SECONDS))
                    .as("a done callback per accepted future").isTrue();

            int succeeded = 0;
            int broken = 0;
            int cancelled = 0;
            long lastBrokenAfterKill = 0;
            for (int i = 0; i < n; i++) {
                Future<Integer> f = futures.get(i);
                if (f == null) {
                    continue;
                }
                if (callbackCalls.get(i) != 1) {
                    fail("future %d: %d callbacks", i, callbackCalls.get(i));
                }
                if (f.cancelled()) {
                    cancelled++;
                    continue;
                }
                assertThat(cancelTrue.get(i)).as("cancel() said true for %d, which did not end cancelled", i).isZero();
                Throwable e = f.exception(Duration.ZERO);
                if (e == null) {
                    assertThat(f.result(Duration.ZERO)).isEqualTo(i);
                    succeeded++;
                } else if (e instanceof BrokenProcessPool) {
                    broken++;
                    lastBrokenAfterKill = Math.max(lastBrokenAfterKill, doneAt.get(i) - killAt.get());
                } else {
                    fail("call %d ended with %s", i, e);
                }
            }
            System.out.printf("[reliability] ProcessPoolStressTest (4 submitters, 2 cancellers) tasks=%d accepted=%d"
                            + " rejectedAtSubmit=%d succeeded=%d cancelled=%d brokenProcessPool=%d"
                            + " lastFailureAfterKill=%.1fms victim=%d%n",
                    n, accepted.size(), rejected.sum(), succeeded, cancelled, broken, lastBrokenAfterKill / 1e6, victim.get());
            assertThat(accepted.size() + rejected.sum()).isEqualTo(n);
            assertThat(succeeded + cancelled + broken + rejected.sum())
                    .as("submitted = succeeded + failed + cancelled + rejected-at-submit").isEqualTo(n);
            assertThat(broken).as("calls pending at the kill").isPositive();
            assertThat(succeeded).as("calls completed before the kill").isGreaterThanOrEqualTo(50);
            assertThat(Duration.ofNanos(lastBrokenAfterKill)).as("last BrokenProcessPool after the kill")
                    .isLessThan(Duration.ofSeconds(1));
            ExecutorSnapshot snap = pool.snapshot();
            int warmUpCalls = 2;
            assertThat(snap.submitted()).isEqualTo(accepted.size() + warmUpCalls);
            assertThat(snap.succeeded() + snap.failed() + snap.cancelled()).isEqualTo(accepted.size() + warmUpCalls);
        } finally {
            pool.killWorkers();
        }
        assertThat(pool.awaitTermination(LONG)).isTrue();
    }
}
