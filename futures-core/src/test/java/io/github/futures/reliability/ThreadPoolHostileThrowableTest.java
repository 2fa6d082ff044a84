package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenThreadPool;
import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.reliability.HostileThrowables.Mute;
import io.github.futures.reliability.HostileThrowables.SelfDescribing;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Throwables whose own methods fail, thrown where the thread pool has to describe them: an
 * initializer's exception ends up in the broken pool's reason.
 *
 * <p>Regression: an initializer throwing an exception whose {@code getMessage()} throws did not break
 * the pool. Building the reason threw, the worker's loop took that for a fault of its own and started a
 * replacement, which ran the initializer again, and so on without end; the pending futures never ended.
 */
@Timeout(60)
class ThreadPoolHostileThrowableTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    /**
     * A done callback throwing an exception that cannot be printed (not even by the logger) is ignored as
     * any other: the callbacks after it run, the completing thread is not affected.
     */
    @Test
    void callbackThrowingAnUnprintableExceptionDoesNotStopTheOthers() {
        Future<Integer> f = new Future<>();
        AtomicInteger before = new AtomicInteger();
        AtomicInteger after = new AtomicInteger();
        f.addDoneCallback(done -> before.incrementAndGet());
        f.addDoneCallback(done -> {
            throw new SelfDescribing();
        });
        f.addDoneCallback(done -> after.incrementAndGet());
        f.setResult(7);
        assertThat(before).hasValue(1);
        assertThat(after).as("the callback after the failing one ran").hasValue(1);
        assertThat(f.result(Duration.ZERO)).isEqualTo(7);
        // Added to a done future: runs at once in this thread, which is not affected either.
        f.addDoneCallback(done -> {
            throw new SelfDescribing();
        });
    }

    /** The same callbacks on a pool's future: the worker that completes it runs the next call. */
    @Test
    void callbackThrowingAnUnprintableExceptionOnAPoolsFuture() throws InterruptedException {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "unprintable-callback");
        try {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Future<Thread> blocker = pool.submit(() -> {
                release.await();
                return Thread.currentThread();
            });
            AtomicInteger after = new AtomicInteger();
            blocker.addDoneCallback(done -> {
                throw new SelfDescribing();
            });
            blocker.addDoneCallback(done -> after.incrementAndGet());
            release.countDown();
            Thread worker = blocker.result(LIMIT);
            assertThat(pool.submit(Thread::currentThread).result(LIMIT)).as("the same worker").isSameAs(worker);
            assertThat(after).hasValue(1);
        } finally {
            pool.shutdown(true, true);
        }
    }

    /** An initializer whose exception cannot be described still breaks the pool, at its first run. */
    @Test
    void initializerThrowingAnIndescribableExceptionBreaksThePoolOnce() {
        AtomicInteger runs = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "mute-init", () -> {
            runs.incrementAndGet();
            throw new Mute();
        });
        try {
            Future<String> f = pool.submit(() -> "never");
            Throwable failure;
            try {
                failure = f.exception(LIMIT);
            } catch (io.github.futures.TimeoutError stillPending) {
                throw new AssertionError("the future is still pending after " + LIMIT + "; the initializer ran "
                        + runs.get() + " times", stillPending);
            }
            assertThat(failure).isInstanceOf(BrokenThreadPool.class);
            assertThat(failure.getMessage()).contains("initializer failed").contains(Mute.class.getName());
            assertThat(failure.getCause()).isInstanceOf(Mute.class);
            assertThat(runs).as("the initializer ran once: no replacement worker").hasValue(1);
            assertThatThrownBy(() -> pool.submit(() -> "later")).isInstanceOf(BrokenThreadPool.class);
        } finally {
            pool.shutdown(true, true);
        }
    }

    /**
     * A call that cancels its own future with cancel(true): the future ends cancelled, the interrupt it
     * sent itself does not reach the next call on the same worker.
     */
    @Test
    void callCancellingItsOwnFutureDoesNotHitTheNextCall() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "self-cancel");
        try {
            java.util.concurrent.CompletableFuture<Future<Boolean>> self = new java.util.concurrent.CompletableFuture<>();
            Future<Boolean> f = pool.submit(() -> {
                boolean cancelled = self.join().cancel(true);
                return cancelled && Thread.currentThread().isInterrupted();
            });
            self.complete(f);
            assertThatThrownBy(() -> f.result(LIMIT)).isInstanceOf(io.github.futures.CancelledError.class);
            assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).result(LIMIT))
                    .as("the next call's thread is not interrupted").isFalse();
        } finally {
            pool.shutdown(true, true);
        }
    }
}
