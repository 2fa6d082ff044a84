package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link CallScope} whose {@code started()} or {@code ended()} throws an {@link Error}, as a scope
 * whose observation library is missing from the class path does ({@code NoClassDefFoundError}).
 * {@code CallScope} promises that what these throw is ignored and that {@code ended} is never skipped.
 *
 * <p>Regression: only {@code RuntimeException}s were ignored. On a thread pool the error failed the call
 * (it was thrown inside the call) and the scope was never told of the end; on a process pool it escaped
 * the loop that writes the frames of the calls just handed to workers, so the frames after it were never
 * written: their calls counted as sent and their futures never ended.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallScopeErrorTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** Scopes that fail at start (and at end, with {@code failEnd}) with an Error, counting what they are told. */
    static final class FailingScopes implements CallInterceptor {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        /**
         * Counts the ends down: a scope's end is a done callback of its future, which may run after a
         * waiter of that future has been woken, so a count read right after {@code result()} may be short.
         */
        final CountDownLatch allEnded;
        final boolean failEnd;

        FailingScopes(boolean failEnd, int calls) {
            this.failEnd = failEnd;
            this.allEnded = new CountDownLatch(calls);
        }

        @Override
        public CallScope intercept(CallInfo call) {
            return new CallScope() {
                @Override
                public void started() {
                    started.incrementAndGet();
                    throw new NoClassDefFoundError("io/micrometer/observation/Missing");
                }

                @Override
                public void ended(Throwable failure, boolean cancelled) {
                    ended.incrementAndGet();
                    allEnded.countDown();
                    if (failEnd) {
                        throw new NoClassDefFoundError("io/micrometer/observation/Missing");
                    }
                }
            };
        }
    }

    /** Thread pool: each call runs and returns its value; each scope is told of the start and of the end once. */
    @Test
    void threadPoolCallsRunAndScopesEnd() throws Exception {
        FailingScopes scopes = new FailingScopes(true, 3);
        ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).callInterceptor(scopes).build();
        try {
            for (int i = 0; i < 3; i++) {
                int n = i;
                assertThat(pool.submit(() -> n).result(LIMIT)).isEqualTo(n);
            }
        } finally {
            pool.shutdown(false, true);
        }
        assertThat(pool.awaitTermination(LIMIT)).isTrue();
        assertThat(scopes.allEnded.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("every scope told of its end").isTrue();
        assertThat(scopes.started).hasValue(3);
        assertThat(scopes.ended).as("ended told once per call").hasValue(3);
    }

    /** Process pool (real worker JVM): every call's frame is sent and every future ends with its value. */
    @Test
    void processPoolSendsEveryCall() throws Exception {
        FailingScopes scopes = new FailingScopes(false, 6);
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).callInterceptor(scopes).build();
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(pool.submit((SerializableCallable<Integer>) Integer.valueOf(i)::intValue));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).result(LIMIT)).isEqualTo(i);
            }
            assertThat(scopes.allEnded.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("every scope told of its end").isTrue();
            assertThat(scopes.ended).as("ended told once per call").hasValue(6);
        } finally {
            CompletableFuture<Void> down = CompletableFuture.runAsync(() -> pool.shutdown(true, true));
            try {
                down.get(60, TimeUnit.SECONDS);
            } finally {
                pool.killWorkers();
            }
        }
    }
}
