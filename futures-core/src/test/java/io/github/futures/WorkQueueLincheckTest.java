package io.github.futures;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck checks of the thread pool's submit-versus-shutdown protocol ({@link WorkQueue}, the code
 * the pool runs): submits, workers and shutdowns (with and without cancelling) in every interleaving
 * the model checker tries. Workers are modelled as the pool runs them: a submit that was accepted and
 * finds no parked worker starts one (counted before it runs) while fewer than {@value #MAX_WORKERS}
 * exist; a worker takes
 * calls until the queue is empty, then leaves if {@link WorkQueue#mayExit()} says so, or parks (its
 * token goes back, to be woken later). As in the pool, a worker releases the units of the calls it
 * ended together, before it parks and when it leaves.
 *
 * <p>After each run the pool is shut down and its parked workers woken, as shutdown does; then:
 * every call whose submit returned a future ran or was cancelled exactly once, no rejected call ran,
 * the queue is terminated, and no call ran while the queue said it had terminated.
 *
 * <p>A worker may also be abandoned in a call that ignores its timeout ({@link #workAndAbandon()}):
 * the pool releases its units for it and may start a replacement.
 *
 * <p>Regressions: a submit landing between a worker's empty poll and its read of the shutdown flag was
 * never run; shutdown(wait=true) returned while a worker, registered but not yet started, still had
 * a call to run.
 */
@Tag("lincheck") // run in a JVM of their own: see the surefire set-up in pom.xml
@Timeout(300)
public class WorkQueueLincheckTest {

    private static final int MAX_CALLS = 32;
    private static final int MAX_WORKERS = 1;

    private final WorkQueue<Call> queue = new WorkQueue<>();
    private final AtomicInteger nextCall = new AtomicInteger();
    /** Per call: 1 accepted (submit returned), 2 rejected. */
    private final AtomicIntegerArray submitted = new AtomicIntegerArray(MAX_CALLS);
    private final AtomicIntegerArray ran = new AtomicIntegerArray(MAX_CALLS);
    private final AtomicIntegerArray cancelled = new AtomicIntegerArray(MAX_CALLS);
    /** Workers started so far (the pool's workerCount). */
    private final AtomicInteger started = new AtomicInteger();
    /** Workers started and parked or runnable: a work() operation takes one to run it. */
    private final AtomicInteger runnable = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    /** ThreadPool.submit: admit, offer (taken back if closed meanwhile), start a worker if below max. */
    @Operation
    public void submit() {
        int id = nextCall.getAndIncrement();
        if (!queue.admit() || !queue.offer(new Call(id))) {
            submitted.set(id, 2);
            return;
        }
        // As the pool: a parked worker (idle token) is reused; otherwise a worker starts, up to the max.
        for (int n; runnable.get() <= 0 && (n = started.get()) < MAX_WORKERS; ) {
            if (started.compareAndSet(n, n + 1)) {
                queue.workerStarting();
                runnable.incrementAndGet();
                break;
            }
        }
        submitted.set(id, 1);
    }

    /** One worker, woken: runs calls until the queue is empty, then leaves or parks again. */
    @Operation
    public void work() {
        if (runnable.getAndDecrement() <= 0) {
            runnable.incrementAndGet(); // no worker to run
            return;
        }
        runWorker();
    }

    private void runWorker() {
        runWorker(0L);
    }

    /**
     * A worker's loop, as the pool runs it: it releases the units of the calls it ended together
     * (ThreadPool.Worker.endedUnreleased), before it parks and when it leaves. {@code ended}: calls it
     * ended and has not released yet.
     */
    private void runWorker(long ended) {
        for (;;) {
            Call call = queue.poll();
            if (call != null) {
                run(call);
                ended++;
                continue;
            }
            if (queue.mayExit()) {
                queue.release(1L + ended);
                return;
            }
            if (!queue.isShutdown()) {
                if (ended > 0L) {
                    queue.release(ended);
                }
                runnable.incrementAndGet(); // parks: a later submit or shutdown wakes it
                return;
            }
        }
    }

    private void run(Call call) {
        int id = call.id;
        if (queue.isTerminated()) {
            violations.add("call " + id + " ran after the queue terminated");
        }
        ran.incrementAndGet(id);
    }

    /**
     * One worker, woken, runs a call and then takes one that ignores its call timeout and is abandoned
     * (ThreadPool.abandon): the call's future ended (TimeoutError), the worker no longer counts, a
     * replacement starts if calls are queued (while the worker's units are still held), then its units
     * are released: the worker's, the stuck call's, and that of the call it ended before and may not
     * have released yet. The thread never comes back to the queue.
     */
    @Operation
    public void workAndAbandon() {
        if (runnable.getAndDecrement() <= 0) {
            runnable.incrementAndGet(); // no worker to run
            return;
        }
        long ended = 0L;
        Call call = queue.poll();
        if (call != null) {
            run(call);
            ended++;
            call = queue.poll();
        }
        if (call == null) {
            runWorker(ended); // nothing to hang in: an ordinary worker
            return;
        }
        run(call); // ended by its timeout; the thread is stuck in it
        started.decrementAndGet();
        if (!queue.isEmpty()) {
            for (int n; (n = started.get()) < MAX_WORKERS; ) {
                if (started.compareAndSet(n, n + 1)) {
                    queue.workerStarting();
                    runnable.incrementAndGet();
                    break;
                }
            }
        }
        queue.release(2L + ended); // the call's unit, the worker's, and its unreleased ones
    }

    /** ThreadPool.shutdown without cancelling. */
    @Operation
    public void shutdown() {
        queue.shutdown();
    }

    /** ThreadPool.shutdown with cancelFutures: the queued calls are drained and cancelled. */
    @Operation
    public void shutdownCancellingFutures() {
        queue.shutdown();
        for (Call call; (call = queue.poll()) != null; ) {
            cancelled.incrementAndGet(call.id);
            queue.release();
        }
    }

    /** Whether terminated, and if so, every call accepted so far has ended. */
    @Operation
    public void checkTermination() {
        if (!queue.isTerminated()) {
            return;
        }
        for (int id = 0; id < MAX_CALLS; id++) {
            if (submitted.get(id) == 1 && ran.get(id) + cancelled.get(id) != 1) {
                violations.add("terminated while accepted call " + id + " had not ended");
            }
        }
    }

    /** After each run: shut down, wake every parked worker, then every accepted call ended once. */
    @Validate
    public void everyAcceptedCallEndedOnce() {
        queue.shutdown();
        while (runnable.getAndDecrement() > 0) {
            runWorker();
        }
        StringBuilder problems = new StringBuilder();
        for (String v : violations) {
            problems.append(v).append("; ");
        }
        for (int id = 0; id < nextCall.get(); id++) {
            int endings = ran.get(id) + cancelled.get(id);
            if (submitted.get(id) == 1 && endings != 1) {
                problems.append("accepted call ").append(id).append(" ended ").append(endings).append(" times; ");
            }
            if (submitted.get(id) == 2 && endings != 0) {
                problems.append("rejected call ").append(id).append(" ran; ");
            }
        }
        if (!queue.isTerminated()) {
            problems.append("not terminated with ").append(queue.units()).append(" units left; ");
        }
        if (problems.length() > 0) {
            throw new IllegalStateException(problems.toString());
        }
    }

    /** A queued call, linked as the pool's ThreadTask is (its own link, claimed once). */
    static final class Call implements WorkQueue.Item {
        final int id;
        private final AtomicReference<WorkQueue.Item> next = new AtomicReference<>();
        private final AtomicBoolean taken = new AtomicBoolean();

        Call(int id) {
            this.id = id;
        }

        @Override
        public WorkQueue.Item queueNext() {
            return next.get();
        }

        @Override
        public boolean casQueueNext(WorkQueue.Item expect, WorkQueue.Item update) {
            return next.compareAndSet(expect, update);
        }

        @Override
        public void unlinkQueueNext() {
            next.set(this);
        }

        @Override
        public boolean claim() {
            return taken.compareAndSet(false, true);
        }

        @Override
        public boolean claimed() {
            return taken.get();
        }
    }

    /** Interleavings chosen by the model checker. */
    @Test
    void modelChecking() {
        new ModelCheckingOptions()
                .iterations(50)
                .invocationsPerIteration(500)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(0)
                .check(WorkQueueLincheckTest.class);
    }

    /** Real threads, real races. */
    @Test
    void stress() {
        new StressOptions()
                .iterations(10)
                .invocationsPerIteration(1000)
                .threads(3)
                .actorsPerThread(3)
                .check(WorkQueueLincheckTest.class);
    }
}
