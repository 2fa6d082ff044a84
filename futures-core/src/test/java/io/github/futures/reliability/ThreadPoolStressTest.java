package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.TaskStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many tasks submitted from 8 threads to a {@link ThreadPoolExecutor} while other threads cancel
 * random futures and, midway, one thread calls {@code shutdown(false, true)}: nothing is lost,
 * nothing is counted twice, nothing hangs, and no pool thread survives {@code shutdown(true, ...)}.
 *
 * <p>Size: {@code -Dstress.tasks=N} (default 50 000; the full run uses 1 000 000, see RELIABILITY.md).
 *
 * <p>How "midway" is made certain rather than likely: the first submitter to see half of the attempts
 * made (the pivot) first submits 8 blocker tasks that hold every worker, waits until all 8 run, submits
 * {@value #QUEUED_AT_SHUTDOWN} of its own tasks (which therefore must queue), and only then lets the
 * shutter call {@code shutdown(false, true)}; the blockers are released once that call has returned.
 * So the shutdown always meets queued work to cancel and running work to let finish, the pivot's later
 * submits are always rejected, and {@code shutdown(false, ...)} is shown not to wait for running calls.
 * The other 7 submitters and the 2 cancellers run freely all along.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // backstop only: every wait below has its own, shorter limit
class ThreadPoolStressTest {

    private static final int SUBMITTERS = 8;
    private static final int CANCELLERS = 2;
    private static final int WORKERS = 8;
    private static final int QUEUED_AT_SHUTDOWN = 100;
    private static final int LATE = 8;
    private static final int RECENT = 1024;

    private static final int SUCCESS = 1;
    private static final int FAILURE = 2;
    private static final int CANCELLED = 3;

    /** A task's own failure, without a stack trace so that a million of them stay cheap. */
    static final class TaskFailure extends RuntimeException {
        final int index;

        TaskFailure(int index) {
            super("task " + index + " failed on purpose", null, false, false);
            this.index = index;
        }
    }

    /**
     * Every future ends in exactly one terminal state, its done callback runs exactly once, and
     * submitted = succeeded + failed + cancelled + rejected-at-submit.
     */
    @Test
    void submitCancelAndShutdownMidwayLoseNothingAndCountEverythingOnce() throws Exception {
        Run run = new Run(StressSize.tasks());
        run.execute();
        run.check();
    }

    /** The task of index i: returns i, except every tenth raises. */
    private static Integer task(int i) {
        if (i % 10 == 3) {
            throw new TaskFailure(i);
        }
        return i;
    }

    /** One stress run: its threads, its pool and everything they recorded. */
    private static final class Run {
        final int n;
        final Duration budget;
        /** Index layout: [0, n) regular; then blockers, queued-at-shutdown and late tasks of the pivot. */
        final int firstBlocker;
        final int firstQueued;
        final int firstLate;
        final int slots;
        final String prefix = "stress-pool-" + System.nanoTime();
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKERS, prefix);

        final AtomicReferenceArray<Future<Integer>> futures;
        final AtomicIntegerArray callbackCalls;
        final AtomicIntegerArray outcomeSeenByCallback;
        final AtomicIntegerArray cancelReturnedTrue;
        final AtomicIntegerArray cancelReturnedFalse;
        final AtomicInteger attempts = new AtomicInteger();
        /** Indexes of recently accepted futures, for the cancellers; -1 while empty. */
        final AtomicIntegerArray recent = new AtomicIntegerArray(RECENT);
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder cancelCalls = new LongAdder();
        final LongAdder cancelSucceeded = new LongAdder();
        final AtomicReference<Throwable> unexpected = new AtomicReference<>();

        final CountDownLatch blockersRunning = new CountDownLatch(WORKERS);
        final CountDownLatch releaseBlockers = new CountDownLatch(1);
        final CountDownLatch midway = new CountDownLatch(1);
        final CountDownLatch shutdownReturned = new CountDownLatch(1);
        final CountDownLatch submittersDone = new CountDownLatch(SUBMITTERS);
        final AtomicInteger attemptsAtShutdown = new AtomicInteger();
        volatile long shutdownNanos = -1;

        long submitPhaseNanos;
        long shutdownWaitNanos;
        long totalNanos;

        Run(int n) {
            this.n = n;
            this.budget = StressSize.budget(n);
            this.firstBlocker = n;
            this.firstQueued = firstBlocker + WORKERS;
            this.firstLate = firstQueued + QUEUED_AT_SHUTDOWN;
            this.slots = firstLate + LATE;
            this.futures = new AtomicReferenceArray<>(slots);
            this.callbackCalls = new AtomicIntegerArray(slots);
            this.outcomeSeenByCallback = new AtomicIntegerArray(slots);
            this.cancelReturnedTrue = new AtomicIntegerArray(slots);
            this.cancelReturnedFalse = new AtomicIntegerArray(slots);
            for (int r = 0; r < RECENT; r++) {
                recent.set(r, -1);
            }
        }

        /** Submits the call of index i and adds the recording callback; false if rejected at submit. */
        boolean submit(int i, Callable<Integer> call) {
            attempts.incrementAndGet();
            Future<Integer> f;
            try {
                f = pool.submit(call);
            } catch (RejectedExecutionException e) {
                rejected.increment();
                return false;
            }
            long a = accepted.sum();
            accepted.increment();
            futures.set(i, f);
            recent.set((int) (a % RECENT), i);
            f.addDoneCallback(done -> record(i, done));
            return true;
        }

        /** The done callback: counts itself and records the state it saw. */
        void record(int i, Future<Integer> f) {
            callbackCalls.incrementAndGet(i);
            int seen;
            if (f.cancelled()) {
                seen = CANCELLED;
            } else {
                Throwable ex = f.exception(Duration.ZERO);
                if (ex == null) {
                    Integer v = f.result(Duration.ZERO);
                    if (v == null || v != i) {
                        unexpected.compareAndSet(null, new AssertionError("future " + i + " returned " + v));
                    }
                    seen = SUCCESS;
                } else {
                    if (!(ex instanceof TaskFailure tf && tf.index == i)) {
                        unexpected.compareAndSet(null, new AssertionError("future " + i + " raised " + ex, ex));
                    }
                    seen = FAILURE;
                }
            }
            if (!outcomeSeenByCallback.compareAndSet(i, 0, seen)) {
                unexpected.compareAndSet(null, new AssertionError("second done callback for future " + i));
            }
        }

        /** A task that holds its worker until shutdown(false, true) has returned. */
        Integer blocker(int i) throws InterruptedException {
            blockersRunning.countDown();
            if (!releaseBlockers.await(budget.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("blocker " + i + " never released");
            }
            return i;
        }

        /** Submitter k takes indexes k, k+8, k+16, ...; whoever makes the middle attempt is the pivot. */
        void submitter(int first) throws Exception {
            for (int i = first; i < n; i += SUBMITTERS) {
                int index = i;
                submit(index, () -> task(index));
                if (attempts.get() >= n / 2 && midway.getCount() > 0 && tryBecomePivot()) {
                    pivot();
                }
            }
        }

        private final AtomicInteger pivots = new AtomicInteger();

        private boolean tryBecomePivot() {
            return pivots.compareAndSet(0, 1);
        }

        /** The pivot's steps; see the class comment. */
        void pivot() throws Exception {
            for (int b = 0; b < WORKERS; b++) {
                int index = firstBlocker + b;
                if (!submit(index, () -> blocker(index))) {
                    throw new AssertionError("blocker " + index + " rejected before shutdown");
                }
            }
            if (!blockersRunning.await(budget.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("only " + (WORKERS - blockersRunning.getCount()) + " of " + WORKERS
                        + " blockers started: a queued task found no worker");
            }
            for (int q = 0; q < QUEUED_AT_SHUTDOWN; q++) {
                int index = firstQueued + q;
                if (!submit(index, () -> task(index))) {
                    throw new AssertionError("task " + index + " rejected before shutdown");
                }
            }
            midway.countDown();
            if (!shutdownReturned.await(budget.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("shutdown(false, true) did not return within " + budget);
            }
            for (int l = 0; l < LATE; l++) {
                int index = firstLate + l;
                if (submit(index, () -> task(index))) {
                    throw new AssertionError("task " + index + " accepted after shutdown");
                }
            }
        }

        void canceller() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (submittersDone.getCount() > 0) {
                // Half the picks among the last RECENT accepted futures (likely still pending), half
                // anywhere (likely done or not yet submitted). Only regular tasks: the pivot's tasks
                // keep their planned fate.
                int i = rnd.nextBoolean() ? recent.get(rnd.nextInt(RECENT)) : rnd.nextInt(n);
                if (i < 0 || i >= n) {
                    Thread.yield();
                    continue;
                }
                Future<Integer> f = futures.get(i);
                if (f == null) {
                    Thread.yield();
                    continue;
                }
                cancelCalls.increment();
                if (f.cancel()) {
                    cancelReturnedTrue.set(i, 1);
                    cancelSucceeded.increment();
                } else {
                    cancelReturnedFalse.set(i, 1);
                }
            }
        }

        void shutter() throws InterruptedException {
            if (!midway.await(budget.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the pivot never reached the middle");
            }
            attemptsAtShutdown.set(attempts.get());
            long t0 = System.nanoTime();
            pool.shutdown(false, true);
            shutdownNanos = System.nanoTime() - t0;
            shutdownReturned.countDown();
            releaseBlockers.countDown();
        }

        private Thread thread(String name, ThrowingRunnable body, Runnable last) {
            return new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable t) {
                    unexpected.compareAndSet(null, t);
                } finally {
                    last.run();
                }
            }, name);
        }

        void execute() throws InterruptedException {
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < SUBMITTERS; k++) {
                int first = k;
                threads.add(thread("stress-submitter-" + k, () -> submitter(first), submittersDone::countDown));
            }
            for (int c = 0; c < CANCELLERS; c++) {
                threads.add(thread("stress-canceller-" + c, this::canceller, () -> { }));
            }
            threads.add(thread("stress-shutter", this::shutter, () -> {
                // If the shutter fails, free the pivot and the blockers so the run still ends.
                shutdownReturned.countDown();
                releaseBlockers.countDown();
            }));

            long start = System.nanoTime();
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(budget.toMillis());
                assertThat(t.isAlive()).as("%s still running after %s", t.getName(), budget).isFalse();
            }
            submitPhaseNanos = System.nanoTime() - start;

            // shutdown(true, ...) in its own thread so that a hang fails the test instead of blocking it.
            Thread waiter = new Thread(() -> pool.shutdown(true, false), "stress-shutdown-wait");
            long t1 = System.nanoTime();
            waiter.start();
            waiter.join(budget.toMillis());
            assertThat(waiter.isAlive()).as("shutdown(true, false) still waiting after %s", budget).isFalse();
            shutdownWaitNanos = System.nanoTime() - t1;
            totalNanos = System.nanoTime() - start;
        }

        void check() {
            if (unexpected.get() != null) {
                throw new AssertionError("a stress thread failed", unexpected.get());
            }
            assertThat(pivots.get()).as("a pivot ran").isEqualTo(1);

            // No pool thread survives shutdown(true, ...).
            List<String> survivors = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith(prefix + "_") && t.isAlive())
                    .map(Thread::getName).toList();
            assertThat(survivors).as("pool threads alive after shutdown(true, ...)").isEmpty();

            // Every future ends in exactly one terminal state; its callback ran once and saw that state.
            long succeeded = 0;
            long failed = 0;
            long cancelled = 0;
            long acceptedSlots = 0;
            for (int i = 0; i < slots; i++) {
                Future<Integer> f = futures.get(i);
                if (f == null) {
                    if (callbackCalls.get(i) != 0) {
                        fail("rejected task %d has %d callback calls", i, callbackCalls.get(i));
                    }
                    continue;
                }
                acceptedSlots++;
                if (!f.done() || f.running()) {
                    fail("future %d not done after shutdown(true, false): %s", i, f);
                }
                if (callbackCalls.get(i) != 1) {
                    fail("future %d: done callback ran %d times", i, callbackCalls.get(i));
                }
                int state = f.cancelled() ? CANCELLED : f.exception(Duration.ZERO) == null ? SUCCESS : FAILURE;
                if (state != outcomeSeenByCallback.get(i)) {
                    fail("future %d: callback saw state %d, final state is %d", i, outcomeSeenByCallback.get(i), state);
                }
                if (cancelReturnedTrue.get(i) == 1 && state != CANCELLED) {
                    fail("future %d: cancel() returned true but it ended in state %d", i, state);
                }
                if (cancelReturnedFalse.get(i) == 1 && state == CANCELLED) {
                    fail("future %d: cancel() returned false (running or done) but it ended cancelled", i);
                }
                if (i >= firstBlocker && i < firstQueued && state != SUCCESS) {
                    fail("blocker %d was running at shutdown and must finish normally; state %d", i, state);
                }
                if (i >= firstQueued && i < firstLate && state != CANCELLED) {
                    fail("task %d was queued behind busy workers at shutdown(false, true); state %d", i, state);
                }
                switch (state) {
                    case SUCCESS -> succeeded++;
                    case FAILURE -> failed++;
                    default -> cancelled++;
                }
            }

            long attempted = attempts.get();
            String figures = String.format(
                    "tasks=%d attempted=%d accepted=%d rejected=%d succeeded=%d failed=%d cancelled=%d"
                            + " cancelCalls=%d (true: %d) attemptsAtShutdown=%d shutdown(false,true)=%.2fms submitPhase=%.0fms"
                            + " shutdown(true,false)=%.1fms total=%.0fms",
                    n, attempted, accepted.sum(), rejected.sum(), succeeded, failed, cancelled, cancelCalls.sum(), cancelSucceeded.sum(),
                    attemptsAtShutdown.get(), shutdownNanos / 1e6, submitPhaseNanos / 1e6,
                    shutdownWaitNanos / 1e6, totalNanos / 1e6);
            System.out.println("[reliability] ThreadPoolStressTest " + figures);

            assertThat(attempted).as(figures).isEqualTo((long) n + WORKERS + QUEUED_AT_SHUTDOWN + LATE);
            assertThat(accepted.sum()).as(figures).isEqualTo(acceptedSlots);
            assertThat(succeeded + failed + cancelled + rejected.sum())
                    .as("submitted = succeeded + failed + cancelled + rejected-at-submit; " + figures)
                    .isEqualTo(attempted);
            assertThat(rejected.sum()).as(figures).isGreaterThanOrEqualTo(LATE);
            assertThat(cancelled).as(figures).isGreaterThanOrEqualTo(QUEUED_AT_SHUTDOWN);
            assertThat(failed).as(figures).isPositive();

            // The pool's own statistics agree with what the callers saw.
            TaskStats stats = pool.taskStats();
            assertThat(stats.submittedCount()).as("stats.submitted").isEqualTo(accepted.sum());
            assertThat(stats.succeededCount()).as("stats.succeeded").isEqualTo(succeeded);
            assertThat(stats.failedCount()).as("stats.failed").isEqualTo(failed);
            assertThat(stats.cancelledCount()).as("stats.cancelled").isEqualTo(cancelled);
            assertThat(stats.pendingCount()).as("stats.pending").isZero();
            assertThat(stats.runningCount()).as("stats.running").isZero();
            assertThat(pool.snapshot().workers()).as("live workers in the snapshot").isZero();
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
