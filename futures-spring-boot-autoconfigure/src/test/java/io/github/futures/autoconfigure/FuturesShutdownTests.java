package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.github.futures.Future;
import io.github.futures.Executor;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Terminable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Closing a real context shuts the pools down with the {@code futures.shutdown.*} rules. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesShutdownTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class))
            .withBean(CloseProbe.class)
            .withPropertyValues("futures.thread.max-workers=1", "futures.process.enabled=false");

    /** Stops just before the pools' lifecycle: tells the test that the context is closing. */
    static class CloseProbe extends ClosingProbe {

        @Override
        public int getPhase() {
            return FuturesShutdownLifecycle.PHASE + 1;
        }
    }

    /** A call that blocks until released; interrupts are recorded and end it. */
    static final class Blocker {

        final CountDownLatch started = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        final CountDownLatch interrupted = new CountDownLatch(1);

        String call() throws InterruptedException {
            this.started.countDown();
            try {
                this.release.await();
            } catch (InterruptedException e) {
                this.interrupted.countDown();
                throw e;
            }
            return "first";
        }
    }

    /** The state of the calls at the moment {@code close()} returned in another thread. */
    record Closed(boolean firstDone, boolean secondDone) {
    }

    private static CompletableFuture<Closed> closeInBackground(AssertableApplicationContext context, Future<?> first,
                                                               Future<?> second) {
        return CompletableFuture.supplyAsync(() -> {
            context.close();
            return new Closed(first.done(), second.done());
        }, r -> new Thread(r, "closer").start());
    }

    /** A call running on the default pool (held by its blocker) and one queued behind it. */
    record RunningAndQueued(ThreadPoolExecutor pool, Blocker blocker, Future<String> first, Future<String> second) {

        /** Closes {@code context} in another thread: the state of the two calls when close() returned. */
        CompletableFuture<Closed> close(AssertableApplicationContext context) {
            return closeInBackground(context, this.first, this.second);
        }
    }

    /** Submits a blocking call to the default one-thread pool, waits until it runs, then queues {@code second}. */
    private static RunningAndQueued runningAndQueued(AssertableApplicationContext context, Callable<String> second)
            throws InterruptedException {
        ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
        Blocker blocker = new Blocker();
        Future<String> first = pool.submit(blocker::call);
        assertThat(blocker.started.await(30, TimeUnit.SECONDS)).isTrue();
        return new RunningAndQueued(pool, blocker, first, pool.submit(second));
    }

    private static CountDownLatch doneLatch(Future<?> future) {
        CountDownLatch done = new CountDownLatch(1);
        future.addDoneCallback(f -> done.countDown());
        return done;
    }

    @Test
    void waitWithoutCancelLetsRunningAndQueuedCallsFinishBeforeCloseReturns() {
        this.contextRunner.withPropertyValues("futures.shutdown.wait=true", "futures.shutdown.cancel-futures=false")
                .run(context -> {
                    RunningAndQueued calls = runningAndQueued(context, () -> "second");
                    ThreadPoolExecutor pool = calls.pool();
                    Blocker blocker = calls.blocker();
                    Future<String> first = calls.first();
                    Future<String> second = calls.second();
                    CompletableFuture<Closed> closed = closeInBackground(context, first, second);
                    assertThat(context.getBean(CloseProbe.class).closing.await(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(closed).isNotDone();
                    blocker.release.countDown();
                    assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo(new Closed(true, true));
                    assertThat(first.result()).isEqualTo("first");
                    assertThat(second.result()).isEqualTo("second");
                    assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> pool.submit(() -> 1));
                });
    }

    @Test
    void waitWithCancelDropsQueuedCallsAndWaitsForTheRunningOne() {
        this.contextRunner.withPropertyValues("futures.shutdown.wait=true", "futures.shutdown.cancel-futures=true")
                .run(context -> {
                    AtomicBoolean secondRan = new AtomicBoolean();
                    RunningAndQueued calls = runningAndQueued(context, () -> {
                        secondRan.set(true);
                        return "second";
                    });
                    Blocker blocker = calls.blocker();
                    Future<String> first = calls.first();
                    Future<String> second = calls.second();
                    CountDownLatch secondDone = doneLatch(second);
                    CompletableFuture<Closed> closed = closeInBackground(context, first, second);
                    assertThat(secondDone.await(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(second.cancelled()).isTrue();
                    assertThat(closed).isNotDone(); // still waiting for the running call
                    blocker.release.countDown();
                    assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo(new Closed(true, true));
                    assertThat(first.result()).isEqualTo("first");
                    assertThat(secondRan).isFalse();
                });
    }

    @Test
    void noWaitWithoutCancelReturnsAtOnceAndQueuedCallsStillRun() {
        this.contextRunner.withPropertyValues("futures.shutdown.wait=false", "futures.shutdown.cancel-futures=false")
                .run(context -> {
                    RunningAndQueued calls = runningAndQueued(context, () -> "second");
                    assertThat(calls.close(context).get(30, TimeUnit.SECONDS)).isEqualTo(new Closed(false, false));
                    assertThat(calls.pool().isShutdown()).isTrue();
                    calls.blocker().release.countDown();
                    assertThat(calls.first().result(WAIT)).isEqualTo("first");
                    assertThat(calls.second().result(WAIT)).isEqualTo("second");
                });
    }

    @Test
    void noWaitWithCancelReturnsAtOnceAndDropsQueuedCalls() {
        this.contextRunner.withPropertyValues("futures.shutdown.wait=false", "futures.shutdown.cancel-futures=true")
                .run(context -> {
                    RunningAndQueued calls = runningAndQueued(context, () -> "second");
                    assertThat(calls.close(context).get(30, TimeUnit.SECONDS)).isEqualTo(new Closed(false, true));
                    assertThat(calls.second().cancelled()).isTrue();
                    calls.blocker().release.countDown();
                    assertThat(calls.first().result(WAIT)).isEqualTo("first");
                });
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void timeoutInterruptsACallThatNeverEndsAndCloseCompletes(CapturedOutput output) {
        this.contextRunner.withPropertyValues("futures.shutdown.timeout=300ms", "futures.executors.io.kind=thread")
                .run(context -> {
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    ThreadPoolExecutor io = context.getBean("io", ThreadPoolExecutor.class);
                    Blocker never = new Blocker(); // never released
                    Blocker neverOnIo = new Blocker();
                    Future<String> first = pool.submit(never::call);
                    Future<String> onIo = io.submit(neverOnIo::call);
                    assertThat(never.started.await(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(neverOnIo.started.await(30, TimeUnit.SECONDS)).isTrue();
                    Future<String> queued = pool.submit(() -> "queued");
                    Closed closed = closeInBackground(context, first, queued).get(30, TimeUnit.SECONDS);
                    assertThat(closed).isEqualTo(new Closed(true, true));
                    // each pool got its own timeout; both running calls were interrupted
                    assertThat(never.interrupted.await(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(neverOnIo.interrupted.await(30, TimeUnit.SECONDS)).isTrue();
                    assertThat(first.exception(WAIT)).isInstanceOf(InterruptedException.class);
                    assertThat(onIo.exception(WAIT)).isInstanceOf(InterruptedException.class);
                    assertThat(queued.cancelled()).isTrue();
                    assertThat(pool.awaitTermination(WAIT)).isTrue();
                    // what was abandoned is logged, per pool
                    assertThat(output).contains("Pool 'futuresThreadPool' was still busy 300ms after shutdown began: "
                            + "abandoned 1 running and 1 pending call(s)").contains("Pool 'io' was still busy");
                });
    }

    /** Pausing the context (as Spring's test context cache does) leaves the pools running; closing still shuts them. */
    @Test
    void pausingTheContextLeavesThePoolsRunning() {
        this.contextRunner.run(context -> {
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            context.getSourceApplicationContext().pause();
            context.getSourceApplicationContext().restart();

            assertThat(pool.isShutdown()).isFalse();
            assertThat(pool.submit(() -> "after restart").result(WAIT)).isEqualTo("after restart");
            context.close();
            assertThat(pool.isShutdown()).isTrue();
        });
    }

    // ------------------------------------------------------------------ through the Terminable contract

    /**
     * An executor that implements {@link Terminable} over a real one-thread pool and records what the
     * lifecycle asks of it; its {@code abort} interrupts the running call.
     */
    static final class TerminablePool implements Executor, Terminable, ObservableExecutor {

        final ThreadPoolExecutor delegate = new ThreadPoolExecutor(1, "terminable");

        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public <T> Future<T> submit(Callable<T> fn) {
            return this.delegate.submit(fn);
        }

        @Override
        public Future<Void> submit(Runnable fn) {
            return this.delegate.submit(fn);
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {
            this.calls.add("shutdown(" + wait + ", " + cancelFutures + ")");
            this.delegate.shutdown(wait, cancelFutures);
        }

        @Override
        public boolean awaitTermination(Duration timeout) {
            this.calls.add("awaitTermination(" + timeout + ")");
            return this.delegate.awaitTermination(timeout == null ? Duration.ofDays(1) : timeout);
        }

        @Override
        public boolean abort(Duration grace) {
            this.calls.add("abort(" + grace + ")");
            this.delegate.interruptWorkers();
            return this.delegate.awaitTermination(grace);
        }

        @Override
        public String kind() {
            return this.delegate.kind();
        }

        @Override
        public ExecutorSnapshot snapshot() {
            return this.delegate.snapshot();
        }

        @Override
        public TaskStats taskStats() {
            return this.delegate.taskStats();
        }
    }

    /** An executor without {@link Terminable}: only {@code shutdown} is recorded. */
    static class PlainPool implements Executor {

        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public <T> Future<T> submit(Callable<T> fn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Void> submit(Runnable fn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {
            this.calls.add("shutdown(" + wait + ", " + cancelFutures + ")");
        }
    }

    /** The two default pools off; the cluster pool's bean name taken by a test executor. */
    private ApplicationContextRunner withClusterSlot(Executor pool) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class))
                .withPropertyValues("futures.thread.enabled=false", "futures.process.enabled=false")
                .withBean("futuresClusterPool", Executor.class, () -> pool, definition -> definition.setDestroyMethodName(""));
    }

    /**
     * A Terminable pool (here in the cluster pool's place) still busy when the timeout passes: the
     * lifecycle cancels what is queued, aborts it and logs what was abandoned, durations as {@code 300ms}.
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void timeoutAbortsABusyTerminablePoolAndLogsWhatWasAbandoned(CapturedOutput output) throws Exception {
        TerminablePool pool = new TerminablePool();
        Blocker never = new Blocker(); // never released: only the abort ends it
        withClusterSlot(pool).withPropertyValues("futures.shutdown.timeout=300ms").run(context -> {
            Future<String> first = pool.submit(never::call);
            assertThat(never.started.await(30, TimeUnit.SECONDS)).isTrue();
            Future<String> queued = pool.submit(() -> "queued");
            Closed closed = closeInBackground(context, first, queued).get(30, TimeUnit.SECONDS);
            assertThat(closed).isEqualTo(new Closed(true, true));
        });
        assertThat(pool.calls).containsExactly("shutdown(false, false)", "awaitTermination(PT0.3S)",
                "shutdown(false, true)", "abort(PT5S)");
        assertThat(never.interrupted.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("Waiting for 1 running and 1 pending calls in pool 'futuresClusterPool' (at most 300ms)")
                .contains("Pool 'futuresClusterPool' was still busy 300ms after shutdown began: "
                        + "abandoned 1 running and 1 pending call(s); cancelled the pending calls and aborted the running ones; "
                        + "the pool has ended.")
                .doesNotContain("PT0.3S");
    }

    /** A Terminable pool that ends within the timeout is only awaited: never aborted, nothing logged as abandoned. */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void terminablePoolThatEndsInTimeIsNotAborted(CapturedOutput output) throws Exception {
        TerminablePool pool = new TerminablePool();
        Blocker blocker = new Blocker();
        withClusterSlot(pool).withPropertyValues("futures.shutdown.timeout=30s").run(context -> {
            Future<String> first = pool.submit(blocker::call);
            assertThat(blocker.started.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Closed> closed = closeInBackground(context, first, first);
            blocker.release.countDown();
            assertThat(closed.get(30, TimeUnit.SECONDS)).isEqualTo(new Closed(true, true));
            assertThat(first.result()).isEqualTo("first");
        });
        assertThat(pool.calls).containsExactly("shutdown(false, false)", "awaitTermination(PT30S)");
        assertThat(output).doesNotContain("was still busy");
    }

    /** Without a timeout property a Terminable pool is awaited at most 30 seconds, the bounded default. */
    @Test
    void withoutTimeoutPropertyATerminablePoolIsAwaitedAtMostThirtySeconds() {
        TerminablePool pool = new TerminablePool();
        withClusterSlot(pool).run(context -> context.close());
        assertThat(pool.calls).containsExactly("shutdown(false, false)", "awaitTermination(PT30S)");
    }

    /** An executor that is not Terminable falls back to {@code shutdown(true, cancelFutures)}, even with a timeout. */
    @Test
    void executorWithoutTerminableIsShutDownWaiting() {
        PlainPool pool = new PlainPool();
        withClusterSlot(pool).withPropertyValues("futures.shutdown.timeout=1s", "futures.shutdown.cancel-futures=true")
                .run(context -> context.close());
        assertThat(pool.calls).containsExactly("shutdown(false, true)", "shutdown(true, true)");
    }

    /** {@code futures.shutdown.wait=false}: the Terminable pool is told to stop and not awaited. */
    @Test
    void noWaitNeverAwaitsOrAbortsATerminablePool() {
        TerminablePool pool = new TerminablePool();
        withClusterSlot(pool).withPropertyValues("futures.shutdown.wait=false", "futures.shutdown.timeout=1s")
                .run(context -> context.close());
        assertThat(pool.calls).containsExactly("shutdown(false, false)");
    }

    /** A pool that fails to shut down is logged through the sanitizer: a command line in the failure is masked. */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void failureToShutDownIsLoggedWithSecretsMasked(CapturedOutput output) {
        Executor failing = new PlainPool() {
            @Override
            public void shutdown(boolean wait, boolean cancelFutures) {
                throw new IllegalStateException("worker command: java -Dapp.db.password=hunter2 Main");
            }
        };
        withClusterSlot(failing).run(context -> context.close());
        assertThat(output).contains("Failed to shut down pool 'futuresClusterPool': java.lang.IllegalStateException: "
                + "worker command: java -Dapp.db.password=****** Main").doesNotContain("hunter2");
    }

    /** Durations are printed as in properties ({@code 3s}, {@code 300ms}), not in ISO-8601 ({@code PT3S}). */
    @Test
    void durationsArePrintedAsInProperties() {
        assertThat(FuturesShutdownLifecycle.format(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(FuturesShutdownLifecycle.format(Duration.ofMillis(300))).isEqualTo("300ms");
        assertThat(FuturesShutdownLifecycle.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(FuturesShutdownLifecycle.format(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(FuturesShutdownLifecycle.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(FuturesShutdownLifecycle.format(Duration.ZERO)).isEqualTo("0s");
    }
}
