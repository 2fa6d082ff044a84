package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.TimeoutError;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call that ignores the interrupt of its call timeout is abandoned by the pool, which names the call
 * in its warning: the call's {@code toString()} is user code, and may throw.
 *
 * <p>Regression: describing the call threw on the timer thread half-way through the abandon: the worker
 * was already off the count, but its units (itself and its call) were never released, so the pool never
 * terminated: {@code shutdown(wait=true)} waited for ever, even after the call returned.
 */
@Timeout(60)
class ThreadPoolAbandonedCallTest {

    private static final Duration LIMIT = Duration.ofSeconds(20);

    /** A call that ignores interrupts until released, and cannot be described. */
    static final class DeafAndNameless implements Callable<String> {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String call() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(50);
            while (release.getCount() > 0 && System.nanoTime() < deadline) {
                try {
                    release.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ignored) {
                    // deaf
                }
            }
            return "late";
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString refuses");
        }
    }

    /** The call is abandoned, the pool serves on and terminates while the deaf call still runs. */
    @Test
    void abandonedCallThatCannotBeDescribedStillLetsThePoolTerminate() throws Exception {
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).threadNamePrefix("deaf-nameless")
                .callTimeout(Duration.ofMillis(100)).build();
        DeafAndNameless deaf = new DeafAndNameless();
        try {
            Future<String> f = pool.submit(deaf);
            assertThatThrownBy(() -> f.result(LIMIT)).isInstanceOf(TimeoutError.class);
            assertThat(pool.submit(() -> Thread.currentThread().getName()).result(LIMIT))
                    .as("served by a new worker").isEqualTo("deaf-nameless_1");
            pool.shutdown(false, false);
            assertThat(pool.awaitTermination(LIMIT)).as("terminated while the abandoned call still runs").isTrue();
            assertThat(pool.snapshot().config()).containsEntry("abandonedThreads", 1);
        } finally {
            deaf.release.countDown();
            pool.shutdown(false, true);
        }
    }
}
