package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.CancelledError;
import io.github.futures.Future;
import io.github.futures.PoolLogCapture;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.TaskListener;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker survives anything a call, or a future's owner, can do (issue 15, item 7): a one-worker
 * pool keeps running calls, on the same thread, after each of them.
 *
 * <p>Regression: completing or cancelling a queued future from outside killed the worker that later
 * took it (InvalidStateError escaped its loop), and a one-worker pool never ran another call.
 */
@Timeout(60)
class ThreadPoolWorkerSurvivalTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "survival");
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void shutDown() {
        release.countDown();
        pool.shutdown(true, true);
    }

    private Thread workerThread() {
        return pool.submit(Thread::currentThread).result(LIMIT);
    }

    /** Holds the only worker until release; returns once the call runs. */
    private Future<Void> blockWorker() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Future<Void> blocker = pool.submit(() -> {
            running.countDown();
            release.await();
            return null;
        });
        assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
        return blocker;
    }

    /** Queued futures completed, failed or cancelled by their owner are dropped; the worker runs the next call. */
    @Test
    void workerSurvivesQueuedFuturesCompletedFromOutside() throws InterruptedException {
        Thread worker = workerThread();
        Future<Void> blocker = blockWorker();
        AtomicInteger ran = new AtomicInteger();
        Future<Integer> resultSet = pool.submit(ran::incrementAndGet);
        Future<Integer> exceptionSet = pool.submit(ran::incrementAndGet);
        Future<Integer> cancelled = pool.submit(ran::incrementAndGet);
        resultSet.setResult(-1);
        exceptionSet.setException(new IllegalStateException("set by its owner"));
        assertThat(cancelled.cancel()).isTrue();
        release.countDown();
        blocker.result(LIMIT);

        assertThat(pool.submit(() -> "next").result(LIMIT)).isEqualTo("next");
        assertThat(workerThread()).as("the same worker thread").isSameAs(worker);
        assertThat(ran).as("no dropped call ran").hasValue(0);
        assertThat(resultSet.result(Duration.ZERO)).isEqualTo(-1);
        assertThat(exceptionSet.exception(Duration.ZERO)).hasMessage("set by its owner");
        assertThatThrownBy(() -> cancelled.result(Duration.ZERO)).isInstanceOf(CancelledError.class);
    }

    /** A call throwing StackOverflowError, OutOfMemoryError or another Error fails its future only. */
    @Test
    void workerSurvivesCallsThatThrowErrors() {
        Thread worker = workerThread();
        Future<Integer> overflow = pool.submit(() -> recurse(0));
        assertThat(overflow.exception(LIMIT)).isInstanceOf(StackOverflowError.class);
        Future<Object> oom = pool.submit(() -> {
            throw new OutOfMemoryError("thrown by the call");
        });
        assertThat(oom.exception(LIMIT)).isInstanceOf(OutOfMemoryError.class);
        Future<Object> assertion = pool.submit(() -> {
            throw new AssertionError("thrown by the call");
        });
        assertThat(assertion.exception(LIMIT)).isInstanceOf(AssertionError.class);
        assertThat(pool.submit(() -> "next").result(LIMIT)).isEqualTo("next");
        assertThat(workerThread()).as("the same worker thread").isSameAs(worker);
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    /** A done callback that throws an Error (run in the worker) does not end the worker. */
    @Test
    void workerSurvivesDoneCallbacksThatThrow() throws InterruptedException {
        Thread worker = workerThread();
        Future<Void> blocker = blockWorker();
        CountDownLatch callbackRan = new CountDownLatch(2);
        blocker.addDoneCallback(f -> {
            callbackRan.countDown();
            throw new StackOverflowError("thrown by a done callback");
        });
        blocker.addDoneCallback(f -> {
            callbackRan.countDown();
            throw new IllegalStateException("thrown by a done callback");
        });
        try (PoolLogCapture log = new PoolLogCapture(Future.class.getName())) {
            release.countDown();
            assertThat(callbackRan.await(20, TimeUnit.SECONDS)).isTrue();
            // The one worker ran the callbacks (and logged their failures) before it took this call.
            assertThat(pool.submit(() -> "next").result(LIMIT)).isEqualTo("next");
            assertThat(workerThread()).as("the same worker thread").isSameAs(worker);
            assertThat(log.messagesAt(Level.SEVERE)).as("each failing callback logged").hasSize(2);
        }
    }

    /** A task listener that throws neither keeps a call from running nor its future from ending. */
    @Test
    void callsRunAndEndWhenATaskListenerThrows() {
        pool.taskStats().addListener(new TaskListener() {
            @Override
            public void taskStarted(long queueWaitNanos) {
                throw new IllegalStateException("listener failed at start");
            }

            @Override
            public void taskFinished(long executionNanos, Outcome outcome) {
                throw new AssertionError("listener failed at end");
            }
        });
        try (PoolLogCapture log = new PoolLogCapture("io.github.futures.TrackedFuture")) { // where listeners run
            Thread worker = workerThread();
            assertThat(pool.submit(() -> 42).result(LIMIT)).isEqualTo(42);
            assertThat(workerThread()).isSameAs(worker);
            assertThat(pool.taskStats().succeededCount()).isEqualTo(3);
            assertThat(log.messagesAt(Level.SEVERE)).as("the listener's failures are logged").isNotEmpty();
        }
    }
}
