package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;

/** Closing a real context shuts the pools down with the {@code futures.shutdown.*} rules. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesShutdownTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class))
            .withBean(CloseProbe.class)
            .withPropertyValues("futures.thread.max-workers=1", "futures.process.enabled=false");

    /** Stops just before the pools' lifecycle: tells the test that the context is closing. */
    static class CloseProbe implements SmartLifecycle {

        final CountDownLatch closing = new CountDownLatch(1);

        private volatile boolean running;

        @Override
        public void start() {
            this.running = true;
        }

        @Override
        public void stop() {
            this.running = false;
            this.closing.countDown();
        }

        @Override
        public boolean isRunning() {
            return this.running;
        }

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

    private static CountDownLatch doneLatch(Future<?> future) {
        CountDownLatch done = new CountDownLatch(1);
        future.addDoneCallback(f -> done.countDown());
        return done;
    }

    @Test
    void waitWithoutCancelLetsRunningAndQueuedCallsFinishBeforeCloseReturns() {
        this.contextRunner.withPropertyValues("futures.shutdown.wait=true", "futures.shutdown.cancel-futures=false")
                .run(context -> {
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    Blocker blocker = new Blocker();
                    Future<String> first = pool.submit(blocker::call);
                    assertThat(blocker.started.await(30, TimeUnit.SECONDS)).isTrue();
                    Future<String> second = pool.submit(() -> "second");
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
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    Blocker blocker = new Blocker();
                    AtomicBoolean secondRan = new AtomicBoolean();
                    Future<String> first = pool.submit(blocker::call);
                    assertThat(blocker.started.await(30, TimeUnit.SECONDS)).isTrue();
                    Future<String> second = pool.submit(() -> {
                        secondRan.set(true);
                        return "second";
                    });
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
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    Blocker blocker = new Blocker();
                    Future<String> first = pool.submit(blocker::call);
                    assertThat(blocker.started.await(30, TimeUnit.SECONDS)).isTrue();
                    Future<String> second = pool.submit(() -> "second");
                    Closed closed = closeInBackground(context, first, second).get(30, TimeUnit.SECONDS);
                    assertThat(closed).isEqualTo(new Closed(false, false));
                    assertThat(pool.isShutdown()).isTrue();
                    blocker.release.countDown();
                    assertThat(first.result(WAIT)).isEqualTo("first");
                    assertThat(second.result(WAIT)).isEqualTo("second");
                });
    }

    @Test
    void noWaitWithCancelReturnsAtOnceAndDropsQueuedCalls() {
        this.contextRunner.withPropertyValues("futures.shutdown.wait=false", "futures.shutdown.cancel-futures=true")
                .run(context -> {
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    Blocker blocker = new Blocker();
                    Future<String> first = pool.submit(blocker::call);
                    assertThat(blocker.started.await(30, TimeUnit.SECONDS)).isTrue();
                    Future<String> second = pool.submit(() -> "second");
                    Closed closed = closeInBackground(context, first, second).get(30, TimeUnit.SECONDS);
                    assertThat(closed).isEqualTo(new Closed(false, true));
                    assertThat(second.cancelled()).isTrue();
                    blocker.release.countDown();
                    assertThat(first.result(WAIT)).isEqualTo("first");
                });
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void timeoutInterruptsACallThatNeverEndsAndCloseCompletes(org.springframework.boot.test.system.CapturedOutput output) {
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
                    assertThat(output).contains("Pool 'futuresThreadPool' was still busy PT0.3S after shutdown began: "
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
}
