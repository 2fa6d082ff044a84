package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TerminatedWorkerError;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.WorkerSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator's controls of a process pool, with real worker JVMs: cancelling the backlog, replacing
 * and dumping one worker by pid, {@code maxWorkers} changed at run time, and each worker's used heap
 * in the snapshot.
 */
@Timeout(120)
class ProcessPoolControlTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** cancelPending cancels the calls not yet sent to a worker and returns their number; the running call finishes. */
    @Test
    void cancelPendingCancelsQueuedCallsAndLeavesTheRunningOne() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build(); Gate gate = new Gate()) {
            Future<Long> running = pool.submit(gate.call());
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            List<Future<Integer>> later = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                later.add(pool.submit((SerializableCallable<Integer>) () -> n));
            }
            int cancelled = pool.cancelPending();

            long seen = later.stream().filter(Future::cancelled).count();
            assertThat(cancelled).isEqualTo((int) seen).isGreaterThanOrEqualTo(20 - 3); // at most 3 sent ahead
            assertThat(running.cancelled()).isFalse();
            gate.releaseAll();
            assertThat(running.result(LIMIT)).isPositive();
            for (Future<Integer> f : later) {
                if (!f.cancelled()) {
                    assertThat(f.result(LIMIT)).isBetween(0, 19); // sent ahead: counted as running, runs
                }
            }
            assertThat(pool.snapshot().pending()).isZero();
            assertThat(pool.submit(Probes.pid()).result(LIMIT)).isPositive();
        }
    }

    /** cancelPending and shutdown(cancelFutures) racing: each pending call ends once, the pool terminates. */
    @Test
    void cancelPendingRacingShutdownEndsEveryCallOnce() throws Exception {
        try (Gate gate = new Gate()) {
            ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build();
            Future<Long> running = pool.submit(gate.call());
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            List<Future<Integer>> later = new ArrayList<>();
            AtomicInteger callbacks = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                Future<Integer> f = pool.submit((SerializableCallable<Integer>) () -> 1);
                f.addDoneCallback(x -> callbacks.incrementAndGet());
                later.add(f);
            }
            CyclicBarrier go = new CyclicBarrier(2);
            AtomicInteger byControl = new AtomicInteger(-1);
            Thread canceller = new Thread(() -> {
                try {
                    go.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return;
                }
                byControl.set(pool.cancelPending());
            });
            canceller.start();
            go.await(30, TimeUnit.SECONDS);
            pool.shutdown(false, true);
            canceller.join(30_000L);
            assertThat(canceller.isAlive()).isFalse();
            assertThat(byControl.get()).isBetween(0, 100);
            gate.releaseAll();
            assertThat(running.result(LIMIT)).isPositive();
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
            assertThat(callbacks.get()).isEqualTo(100); // each call's callbacks ran once: it ended once
            long cancelled = later.stream().filter(Future::cancelled).count();
            assertThat(cancelled).isGreaterThanOrEqualTo(100 - 3).isGreaterThanOrEqualTo(byControl.get());
        }
    }

    /**
     * Replacing the worker running a call: that call fails with TerminatedWorkerError, the calls queued behind it run
     * in the new worker, the pool (BREAK_POOL by default) does not break, and the replacement is counted.
     */
    @Test
    void replacingTheWorkerRunningACallFailsOnlyThatCall() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build(); Gate gate = new Gate()) {
            pool.taskStats().addEventListener(events::add);
            Future<Long> victim = pool.submit(gate.call());
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            long pid = pool.snapshot().workerDetails().get(0).pid();
            List<Future<Long>> behind = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                behind.add(pool.submit(Probes.pid()));
            }

            String said = pool.replaceWorker(pid);

            assertThat(said).contains("pid " + pid).contains("TerminatedWorkerError");
            assertThat(victim.exception(LIMIT)).isInstanceOf(TerminatedWorkerError.class)
                    .hasMessageContaining("replaced on request").hasMessageContaining("pid " + pid);
            for (Future<Long> f : behind) {
                assertThat(f.result(LIMIT)).isNotEqualTo(pid);
            }
            assertThat(pool.isBroken()).isFalse();
            assertThat(pool.taskStats().replacedCounts()).containsEntry("request", 1L);
            assertThat(events).anyMatch(e -> e.type() == PoolEvent.Type.WORKER_REPLACED && e.pid() == pid);
            assertThatThrownBy(() -> pool.replaceWorker(pid)).isInstanceOfAny(NoSuchElementException.class,
                    IllegalStateException.class).hasMessageContaining("pid " + pid);
        }
    }

    /** A pid that is no worker of the pool is refused with a message listing the live workers. */
    @Test
    void unknownPidIsRefusedNamingTheLiveWorkers() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build()) {
            long worker = pool.submit(Probes.pid()).result(LIMIT);
            long mine = ProcessHandle.current().pid();
            assertThatThrownBy(() -> pool.replaceWorker(mine)).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("No live worker with pid " + mine).hasMessageContaining("[" + worker + "]");
            assertThatThrownBy(() -> pool.threadDump(mine)).isInstanceOf(NoSuchElementException.class);
        }
    }

    /**
     * A worker's thread dump is its JVM's own dump and shows the running call's stack; the dump of a worker that
     * died is refused with a clear message, and the pool-wide dump covers every live worker.
     */
    @Test
    void threadDumpOfAWorkerShowsItsRunningCallAndADeadPidIsRefused() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build(); Gate gate = new Gate()) {
            Future<Long> call = pool.submit(gate.call());
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            long pid = pool.snapshot().workerDetails().get(0).pid();

            String dump = pool.threadDump(pid);

            assertThat(dump).startsWith("Full thread dump").contains(Gate.class.getName())
                    .contains("java.net.Socket").contains("JNI global refs");
            assertThat(pool.threadDump()).contains("=== worker pid " + pid + " ===").contains(Gate.class.getName());
            gate.releaseAll();
            assertThat(call.result(LIMIT)).isEqualTo(pid);

            pool.replaceWorker(pid); // idle now: killed, and a new worker starts
            assertThatThrownBy(() -> pool.threadDump(pid)).isInstanceOfAny(NoSuchElementException.class,
                    IllegalStateException.class).hasMessageContaining("pid " + pid);
            assertThat(pool.submit(Probes.pid()).result(LIMIT)).isNotEqualTo(pid);
            assertThatThrownBy(() -> pool.threadDump(pid)).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("No live worker with pid " + pid);
        }
    }

    /** Growing starts workers for calls that wait; the snapshot and its configuration show the new size. */
    @Test
    void growingRunsWaitingCallsInNewWorkers() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build(); Gate gate = new Gate()) {
            List<Future<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(gate.call()));
            }
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            pool.setMaxWorkers(3);
            assertThat(gate.awaitArrival(LIMIT)).as("second call at once after growing").isTrue();
            assertThat(gate.awaitArrival(LIMIT)).as("third call at once after growing").isTrue();
            assertThat(pool.maxWorkers()).isEqualTo(3);
            assertThat(pool.snapshot().maxWorkers()).isEqualTo(3);
            assertThat(pool.snapshot().config()).containsEntry("maxWorkers", 3);
            gate.releaseAll();
            Set<Long> pids = new HashSet<>();
            for (Future<Long> f : calls) {
                pids.add(f.result(LIMIT));
            }
            assertThat(pids).hasSize(3);
        }
    }

    /**
     * Shrinking while calls arrive from two threads and the size changes again and again: no call is lost, busy
     * workers finish their calls, and afterwards no more than the new maxWorkers calls run at once.
     */
    @Test
    void shrinkingRacingSubmitsLosesNoCallAndBoundsConcurrency() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(3).build(); Gate gate = new Gate()) {
            List<Future<Long>> busy = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                busy.add(pool.submit(gate.call()));
            }
            for (int i = 0; i < 3; i++) {
                assertThat(gate.awaitArrival(LIMIT)).isTrue(); // three workers busy
            }
            ConcurrentLinkedQueue<Future<Integer>> all = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread s = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 300; i++) {
                        int n = i;
                        all.add(pool.submit((SerializableCallable<Integer>) () -> n));
                    }
                });
                s.start();
                submitters.add(s);
            }
            go.countDown();
            pool.setMaxWorkers(1); // all three busy: each leaves after its call
            gate.releaseAll();
            for (int size : new int[] {2, 1, 3, 1}) {
                pool.setMaxWorkers(size);
            }
            for (Thread s : submitters) {
                s.join(30_000L);
                assertThat(s.isAlive()).isFalse();
            }
            assertThat(all).hasSize(600);
            for (Future<Integer> f : all) {
                assertThat(f.result(LIMIT)).isBetween(0, 299);
            }
            for (Future<Long> f : busy) {
                assertThat(f.result(LIMIT)).isPositive();
            }
            assertThat(pool.snapshot().maxWorkers()).isEqualTo(1);
            assertThat(pool.snapshot().config()).containsEntry("maxWorkers", 1);

            // Settled: one call at a time.
            Future<Long> first = pool.submit(gate.call());
            Future<Long> second = pool.submit(gate.call());
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            assertThat(gate.awaitArrival(Duration.ofMillis(700))).as("a second call ran beside the first").isFalse();
            gate.releaseAll();
            assertThat(first.result(LIMIT)).isPositive();
            assertThat(gate.awaitArrival(LIMIT)).isTrue();
            gate.releaseAll();
            assertThat(second.result(LIMIT)).isEqualTo(first.result(LIMIT));
            assertThat(pool.isBroken()).isFalse();
        }
    }

    /** A size below 1 or below minWorkers, and a resize after shutdown, are refused with messages that say why. */
    @Test
    void invalidSizesAreRefused() {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(3).minWorkers(2).build();
        assertThatThrownBy(() -> pool.setMaxWorkers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWorkers must be at least 1, got 0");
        assertThatThrownBy(() -> pool.setMaxWorkers(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below minWorkers (2)");
        assertThat(pool.maxWorkers()).isEqualTo(3);
        pool.shutdown();
        assertThatThrownBy(() -> pool.setMaxWorkers(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after shutdown");
    }

    /** Each worker's used heap appears in the snapshot after its first call, without maxWorkerMemory. */
    @Test
    void snapshotShowsEachWorkersUsedHeap() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build()) {
            long pid = pool.submit(Probes.pid()).result(LIMIT);
            // The HEAP frame follows the result on the same stream: one more call's result comes after it.
            pool.submit(Probes.pid()).result(LIMIT);
            WorkerSnapshot w = pool.snapshot().workerDetails().get(0);
            assertThat(w.pid()).isEqualTo(pid);
            assertThat(w.usedHeap()).isPositive().isLessThan(Runtime.getRuntime().maxMemory() * 4);
        }
    }
}
