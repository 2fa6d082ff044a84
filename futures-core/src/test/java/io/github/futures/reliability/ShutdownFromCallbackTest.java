package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenThreadPool;
import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A done callback that calls {@code shutdown(wait=true)} on its own pool, run by the thread that
 * cancels or fails the pool's queued calls: the shutdown that cancels them ({@code cancelFutures}), or
 * the break of a thread pool whose initializer failed. Those calls' callbacks run in that thread before
 * it has let go of them, so a wait for them in the callback is a wait for itself: it must not hang, and
 * every future must end.
 *
 * <p>Regression: the inner shutdown waited for the calls the outer one was still cancelling, in the same
 * thread, and never returned (thread pool and process pool alike).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShutdownFromCallbackTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /**
     * Holds the pool's only worker, queues three calls, and has the middle one's callback shut the pool
     * down with wait; then {@code shutdown(true, true)} from another thread must return.
     */
    private static void cancelledCallbackShutsDownWithWait(Executor pool, SerializableCallable<String> blockerCall,
                                                          Runnable releaseBlocker, CountDownLatch blockerRunning)
            throws Exception {
        Future<String> blocker = pool.submit(blockerCall);
        assertThat(blockerRunning.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<Future<String>> queued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queued.add(pool.submit((SerializableCallable<String>) () -> "queued"));
        }
        AtomicBoolean innerReturned = new AtomicBoolean();
        // The last but one: a process pool may have sent the first queued call ahead to the worker.
        queued.get(2).addDoneCallback(f -> {
            releaseBlocker.run();
            pool.shutdown(); // wait=true, from the thread cancelling the queued calls
            innerReturned.set(true);
        });
        CompletableFuture<Void> outer = CompletableFuture.runAsync(() -> pool.shutdown(true, true));
        try {
            outer.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException hung) {
            throw new AssertionError("shutdown(true, true) did not return: the callback's shutdown waits for"
                    + " the calls its own thread is cancelling", hung);
        }
        assertThat(innerReturned).as("the callback's shutdown returned").isTrue();
        assertThat(blocker.result(LIMIT)).isEqualTo("blocker");
        assertThat(queued.get(2).cancelled()).isTrue();
        assertThat(queued.get(3).cancelled()).isTrue();
        for (Future<String> f : queued) {
            assertThat(f.done()).as("every queued call done").isTrue();
        }
    }

    /** Thread pool: a cancelled call's callback that shuts the pool down with wait does not hang the shutdown. */
    @Test
    void threadPoolCancelledCallbackShutsDownWithWait() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "callback-shutdown");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            cancelledCallbackShutsDownWithWait(pool, () -> {
                running.countDown();
                release.await();
                return "blocker";
            }, release::countDown, running);
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            release.countDown();
            pool.interruptWorkers();
        }
    }

    /** Process pool: the same, with a real worker JVM. */
    @Test
    void processPoolCancelledCallbackShutsDownWithWait() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        Gate gate = Gate.create();
        try (Signal started = Signal.create()) {
            CountDownLatch running = new CountDownLatch(1);
            Thread watcher = new Thread(() -> {
                started.awaitCount(1, LIMIT);
                running.countDown();
            });
            watcher.setDaemon(true);
            watcher.start();
            cancelledCallbackShutsDownWithWait(pool, () -> {
                started.fire();
                gate.await();
                return "blocker";
            }, gate::open, running);
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            gate.open();
            pool.killWorkers();
        }
    }

    /**
     * Thread pool whose initializer fails: the queued calls fail with BrokenThreadPool in the worker that
     * ran it, and a callback there that shuts the pool down with wait returns.
     */
    @Test
    void threadPoolBrokenCallbackShutsDownWithWait() throws Exception {
        CountDownLatch queued = new CountDownLatch(1);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "callback-broken", () -> {
            try {
                queued.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("init refused");
        });
        List<Future<String>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fs.add(pool.submit(() -> "never"));
        }
        AtomicBoolean innerReturned = new AtomicBoolean();
        CountDownLatch callbackDone = new CountDownLatch(1);
        fs.get(1).addDoneCallback(f -> {
            try {
                pool.shutdown();
                innerReturned.set(true);
            } finally {
                callbackDone.countDown();
            }
        });
        queued.countDown();
        try {
            assertThat(callbackDone.await(LIMIT.toSeconds(), TimeUnit.SECONDS))
                    .as("the callback's shutdown returned").isTrue();
            assertThat(innerReturned).isTrue();
            for (Future<String> f : fs) {
                assertThat(f.exception(LIMIT)).isInstanceOf(BrokenThreadPool.class);
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(LIMIT)).isTrue();
        } finally {
            pool.interruptWorkers();
        }
    }
}
