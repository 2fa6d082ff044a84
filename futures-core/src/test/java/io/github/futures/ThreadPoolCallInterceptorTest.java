package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A thread pool's call interceptor: context carried by wrap, and every scope told of its start and end. */
@Timeout(60)
class ThreadPoolCallInterceptorTest {

    private static ThreadPoolExecutor.Builder pool(boolean virtual, RecordingInterceptor ic) {
        if (virtual) {
            assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        }
        return ThreadPoolExecutor.builder().maxWorkers(2).threadNamePrefix("ctx").virtualThreads(virtual)
                .callInterceptor(ic);
    }

    /** The call runs inside the scope's wrap on the worker and sees the submitter's context; started, then ended once. */
    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void callSeesSubmittersContextAndScopeStartsThenEndsOnce(boolean virtual) throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        try (ThreadPoolExecutor p = pool(virtual, ic).build()) {
            RecordingInterceptor.CONTEXT.set("request-1");
            Future<String> f = p.submit(() -> RecordingInterceptor.CONTEXT.get() + "@" + Thread.currentThread().getName());
            RecordingInterceptor.CONTEXT.remove();
            assertThat(f.result()).startsWith("request-1@ctx_");
            ic.awaitEnds(1);
        }
        assertThat(ic.infos).containsExactly(new CallInterceptor.CallInfo("ctx", "thread"));
        RecordingInterceptor.Recorded r = ic.scopes.peek();
        assertThat(r.startedCount).hasValue(1);
        assertThat(r.failure).isNull();
        assertThat(r.cancelled).isFalse();
        assertThat(ic.faults()).isEmpty();
    }

    /** A failing call ends its scope with the call's exception. */
    @Test
    void failingCallEndsScopeWithItsException() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        try (ThreadPoolExecutor p = pool(false, ic).build()) {
            IllegalStateException boom = new IllegalStateException("boom");
            Future<Object> f = p.submit(() -> {
                throw boom;
            });
            assertThat(f.exception()).isSameAs(boom);
            ic.awaitEnds(1);
            assertThat(ic.scopes.peek().failure).isSameAs(boom);
        }
        assertThat(ic.faults()).isEmpty();
    }

    /** An interceptor that throws makes the submit throw that exception; nothing is accepted, the pool goes on. */
    @Test
    void interceptorThrowingFailsTheSubmitAndAcceptsNothing() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        CallInterceptor failing = call -> {
            if (asked.incrementAndGet() == 1) {
                throw new IllegalStateException("no context today");
            }
            return CallScope.NONE;
        };
        try (ThreadPoolExecutor p = ThreadPoolExecutor.builder().maxWorkers(1).callInterceptor(failing).build()) {
            assertThatThrownBy(() -> p.submit(() -> 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("no context today");
            assertThat(p.snapshot().submitted()).isZero();
            assertThat(p.submit(() -> 2).result()).isEqualTo(2);
        }
    }

    /** A submit refused by the pending limit after the scope was given ends that scope with the rejection, unstarted. */
    @Test
    void submitRefusedByPendingLimitEndsScopeWithTheRejection() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPoolExecutor p = ThreadPoolExecutor.builder().maxWorkers(1).maxPending(1).callInterceptor(ic).build()) {
            Future<Object> first = p.submit(() -> {
                running.countDown();
                release.await();
                return null;
            });
            running.await();
            Future<Integer> pending = p.submit(() -> 2);
            assertThatThrownBy(() -> p.submit(() -> 3)).isInstanceOf(RejectedExecutionException.class);
            List<RecordingInterceptor.Recorded> scopes = new ArrayList<>(ic.scopes);
            RecordingInterceptor.Recorded refused = scopes.get(2);
            assertThat(refused.endedCount).hasValue(1);
            assertThat(refused.startedCount).hasValue(0);
            assertThat(refused.failure).isInstanceOf(RejectedExecutionException.class);
            release.countDown();
            assertThat(pending.result()).isEqualTo(2);
            first.result();
            ic.awaitEnds(3);
        }
        assertThat(ic.faults()).isEmpty();
    }

    /** A submit after shutdown ends its scope with the rejection and throws as before. */
    @Test
    void submitAfterShutdownEndsScopeWithTheRejection() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        ThreadPoolExecutor p = pool(false, ic).build();
        p.shutdown();
        assertThatThrownBy(() -> p.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(ic.scopes.peek().failure).isInstanceOf(RejectedExecutionException.class);
        assertThat(ic.faults()).isEmpty();
    }

    /** Calls queued when an initializer breaks the pool end their scopes with BrokenThreadPool. */
    @Test
    void brokenPoolEndsScopesOfQueuedCalls() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        CountDownLatch go = new CountDownLatch(1);
        try (ThreadPoolExecutor p = ThreadPoolExecutor.builder().maxWorkers(1).callInterceptor(ic).initializer(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("no init");
        }).build()) {
            Future<Integer> f = p.submit(() -> 1);
            go.countDown();
            assertThat(f.exception()).isInstanceOf(BrokenThreadPool.class);
            ic.awaitEnds(1);
            assertThat(ic.scopes.peek().failure).isInstanceOf(BrokenThreadPool.class);
            assertThat(ic.scopes.peek().startedCount).hasValue(0);
        }
        assertThat(ic.faults()).isEmpty();
    }

    /**
     * Many calls with random outcomes (result, exception, cancel before start, cancel(true) while running,
     * call timeout) submitted from several threads while a cancelling shutdown races them: every scope is
     * ended exactly once, started at most once and never after it ended.
     */
    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void everyScopeEndsExactlyOnceWhateverTheOutcome(boolean virtual) throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        ThreadPoolExecutor p = pool(virtual, ic).maxWorkers(3).callTimeout(Duration.ofMillis(50)).build();
        CountDownLatch never = new CountDownLatch(1);
        int submitters = 3;
        int perThread = 400;
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch half = new CountDownLatch(submitters);
        List<Thread> threads = new ArrayList<>();
        CompletableFuture<Void> shutdownDone = new CompletableFuture<>();
        for (int t = 0; t < submitters; t++) {
            long seed = 42L + t;
            Thread th = new Thread(() -> {
                Random rnd = new Random(seed);
                try {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        if (i == perThread / 2) {
                            half.countDown();
                        }
                        int kind = rnd.nextInt(6);
                        CountDownLatch started = new CountDownLatch(1);
                        Future<Integer> f;
                        try {
                            f = p.submit(() -> {
                                started.countDown();
                                switch (kind) {
                                    case 1 -> throw new IllegalStateException("fails");
                                    case 3, 4 -> never.await(); // stopped by cancel(true), or by its timeout
                                    default -> { }
                                }
                                return kind;
                            });
                        } catch (RejectedExecutionException afterShutdown) {
                            continue;
                        }
                        if (kind == 2) {
                            f.cancel();
                        } else if (kind == 3 && started.await(50, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                            f.cancel(true);
                        } else if (kind == 3) {
                            f.cancel(true); // still queued: cancelled before it started
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            threads.add(th);
            th.start();
        }
        Thread stopper = new Thread(() -> {
            try {
                go.await();
                half.await(); // each submitter is half-way: the shutdown races the other half
                p.shutdown(false, true);
                shutdownDone.complete(null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        stopper.join();
        shutdownDone.get();
        assertThat(p.awaitTermination(Duration.ofSeconds(30))).isTrue();
        ic.awaitEnds(ic.scopes.size());
        assertThat(ic.scopes).hasSizeGreaterThan(submitters * perThread / 2);
        assertThat(ic.faults()).isEmpty();
    }

    /** Every call of a buffered map carries the mapper's context, even when its results are taken on another thread. */
    @Test
    void mapCallsCarryTheMappersContextWhenResultsAreTakenOnAnotherThread() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        try (ThreadPoolExecutor p = pool(false, ic).build()) {
            RecordingInterceptor.CONTEXT.set("mapper");
            java.util.stream.Stream<String> results = p.map(i -> RecordingInterceptor.CONTEXT.get() + i,
                    List.of(1, 2, 3, 4, 5, 6), MapOptions.DEFAULTS.withBuffersize(2));
            RecordingInterceptor.CONTEXT.remove();
            CompletableFuture<List<String>> taken = new CompletableFuture<>();
            Thread consumer = new Thread(() -> {
                RecordingInterceptor.CONTEXT.set("consumer");
                taken.complete(results.toList());
            });
            consumer.start();
            assertThat(taken.get()).containsExactly("mapper1", "mapper2", "mapper3", "mapper4", "mapper5", "mapper6");
            ic.awaitEnds(7); // six calls and the map itself
        }
        assertThat(ic.scopes).hasSize(7).allSatisfy(r -> assertThat(r.context).isEqualTo("mapper"));
        assertThat(ic.faults()).isEmpty();
    }
}
