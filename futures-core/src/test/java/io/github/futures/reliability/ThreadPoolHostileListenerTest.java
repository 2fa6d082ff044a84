package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.reliability.HostileThrowables.SelfDescribing;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.PoolEventListener;
import io.github.futures.spi.TaskListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Listeners a pool's owner registers ({@link TaskListener}, {@link PoolEventListener}) are user code
 * reached from the worker's loop outside any call. Whatever they throw is logged and ignored, and so is
 * a failure to log it: a listener whose {@code toString()} throws, or whose exception cannot be printed.
 *
 * <p>Regression: logging such a listener's failure threw, out of the listener's guard. From
 * {@code taskStarted} that reached the worker's loop: every call failed with {@code BrokenThreadPool} "the
 * worker running this call failed" and its worker was replaced, one thread per call, without end. From
 * {@code taskFinished} it also skipped the future's waiters and done callbacks (a thread already waiting
 * for the result waited for ever). A pool event listener failing so on {@code WORKER_STARTED} made the pool
 * believe its worker thread could not start: the pool broke, with the thread running.
 */
@Timeout(60)
class ThreadPoolHostileListenerTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    /** A task listener that fails at every call and cannot even be named. */
    static final class HostileTaskListener implements TaskListener {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();

        @Override
        public void taskStarted(long queueWaitNanos) {
            started.incrementAndGet();
            throw new IllegalStateException("taskStarted refuses");
        }

        @Override
        public void taskFinished(long executionNanos, Outcome outcome) {
            finished.incrementAndGet();
            throw new SelfDescribing();
        }

        @Override
        public String toString() {
            throw new SelfDescribing();
        }
    }

    /** A pool event listener that fails at every event and cannot even be named. */
    static final class HostileEventListener implements PoolEventListener {
        final List<PoolEvent.Type> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onEvent(PoolEvent event) {
            heard.add(event.type());
            throw new SelfDescribing();
        }

        @Override
        public String toString() {
            throw new SelfDescribing();
        }
    }

    /**
     * A task listener failing at start and end, whose failures cannot be logged: every call runs on the same
     * worker and ends with its own value, and a thread waiting for a result (and a done callback) is told.
     */
    @Test
    void taskListenerWhoseFailuresCannotBeLoggedChangesNothing() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "hostile-task-listener");
        HostileTaskListener listener = new HostileTaskListener();
        pool.taskStats().addListener(listener);
        try {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> gated = pool.submit(() -> {
                release.await();
                return Thread.currentThread().getName();
            });
            CountDownLatch callback = new CountDownLatch(1);
            gated.addDoneCallback(f -> callback.countDown());
            java.util.concurrent.CompletableFuture<String> waited = new java.util.concurrent.CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    waited.complete(gated.result());
                } catch (Throwable t) {
                    waited.completeExceptionally(t);
                }
            }, "result-waiter");
            waiter.setDaemon(true);
            waiter.start();
            Blocking.awaitWaiting(waiter); // it waits for the result
            release.countDown();
            assertThat(waited.get(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the waiting thread got the value")
                    .isEqualTo("hostile-task-listener_0");
            // The waiter may be told before the callback runs (listeners are told in turn): wait for it.
            assertThat(callback.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the done callback ran").isTrue();
            List<String> threads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                threads.add(pool.submit(() -> Thread.currentThread().getName()).result(LIMIT));
            }
            assertThat(threads).as("every call ran, on the one worker (none was replaced)")
                    .containsOnly("hostile-task-listener_0");
            assertThat(listener.started).hasValue(6);
            assertThat(pool.snapshot().state()).isEqualTo(io.github.futures.spi.ExecutorSnapshot.RUNNING);
        } finally {
            pool.shutdown(false, true);
        }
        assertThat(pool.awaitTermination(LIMIT)).as("every worker left").isTrue();
        assertThat(listener.finished).hasValue(6);
    }

    /** A pool event listener failing so on every event: the pool's first worker starts and runs the calls. */
    @Test
    void poolEventListenerWhoseFailuresCannotBeLoggedChangesNothing() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, "hostile-event-listener");
        HostileEventListener listener = new HostileEventListener();
        pool.taskStats().addEventListener(listener);
        try {
            assertThat(valueOrDescription(pool, 42)).isEqualTo("42");
            assertThat(valueOrDescription(pool, 43)).isEqualTo("43");
            assertThat(listener.heard).contains(PoolEvent.Type.WORKER_STARTED);
            assertThat(pool.snapshot().state()).isEqualTo(io.github.futures.spi.ExecutorSnapshot.RUNNING);
        } finally {
            pool.shutdown(false, false);
        }
        // Bounded: with the pool's count of workers wrong, shutdown(wait=true) waited for ever.
        assertThat(pool.awaitTermination(LIMIT)).as("every worker left").isTrue();
    }

    /**
     * The value of a call returning {@code n}, or what it failed with, by class name: the failure's cause
     * here is the listener's exception, which the test report could not print either.
     */
    static String valueOrDescription(ThreadPoolExecutor pool, int n) {
        try {
            return String.valueOf(pool.submit(() -> n).result(LIMIT));
        } catch (RuntimeException e) {
            return e.getClass().getName() + " caused by " + (e.getCause() == null ? null : e.getCause().getClass().getName());
        }
    }
}
