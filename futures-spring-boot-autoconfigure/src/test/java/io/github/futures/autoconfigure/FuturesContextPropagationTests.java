package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.micrometer.context.ContextRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * What a call carries on the thread pools of a real context: the MDC and a registered
 * {@code ThreadLocalAccessor}'s value (platform and virtual pools, default and named), the task decorators on
 * plain submits, and, with {@code futures.observations.enabled}, one observation per call that ends with the
 * call's outcome.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesContextPropagationTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A value of the application's own, registered with Micrometer's context registry. */
    static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
            .withPropertyValues("futures.process.enabled=false", "futures.executors.io.kind=thread");

    @BeforeAll
    static void registerTenant() {
        ContextRegistry.getInstance().registerThreadLocalAccessor("test.tenant", TENANT);
    }

    @AfterAll
    static void unregisterTenant() {
        ContextRegistry.getInstance().removeThreadLocalAccessor("test.tenant");
    }

    @AfterEach
    void clearThisThread() {
        MDC.clear();
        TENANT.remove();
    }

    /** Runs on the pool, as the caller "request r-1 of tenant acme", a call that reports the context it sees. */
    private static String seenOn(ThreadPoolExecutor pool) {
        MDC.put("request", "r-1");
        TENANT.set("acme");
        try {
            return pool.submit(FuturesContextPropagationTests::seen).result(WAIT);
        } finally {
            MDC.clear();
            TENANT.remove();
        }
    }

    private static String seen() {
        return MDC.get("request") + "/" + TENANT.get();
    }

    /** MDC and a ThreadLocalAccessor value reach a submit on the default (platform) pool, and are gone from its thread afterwards. */
    @Test
    void mdcAndThreadLocalReachPlatformPoolCalls() {
        this.runner.run(context -> {
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            assertThat(seenOn(pool)).isEqualTo("r-1/acme");
            assertThat(pool.submit(FuturesContextPropagationTests::seen).result(WAIT)).isEqualTo("null/null");
        });
    }

    /**
     * A call sees the caller's MDC as it was at submit, whatever the caller puts or removes afterwards (Logback's
     * shared read-only view is captured, not a copy); an entry with a null value is not put; the pool thread's own
     * entry that a call's entry covered comes back after the call.
     */
    @Test
    void mdcIsTakenAtSubmitAndPutBackAfterTheCall() {
        this.runner.run(context -> {
            ThreadPoolExecutor pool = ThreadPoolExecutor.builder().maxWorkers(1).callInterceptor(
                    context.getBean(FuturesCallInterceptors.class).forPool("one")).build();
            try {
                pool.submit(() -> {
                    MDC.put("request", "thread-own");
                    return null;
                }).result(WAIT);
                java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                io.github.futures.Future<String> blocker = pool.submit(() -> {
                    release.await();
                    return "released";
                });
                MDC.put("request", "r-1");
                MDC.put("nullValued", null);
                io.github.futures.Future<String> call = pool.submit(
                        () -> MDC.get("request") + "/" + MDC.get("other") + "/" + MDC.getCopyOfContextMap().containsKey("nullValued"));
                MDC.put("request", "r-changed");
                MDC.put("other", "later");
                MDC.remove("nullValued");
                release.countDown();
                assertThat(blocker.result(WAIT)).isEqualTo("released");
                assertThat(call.result(WAIT)).isEqualTo("r-1/null/false");
                MDC.clear(); // the next call carries nothing over the thread's own entry
                assertThat(pool.submit(() -> MDC.get("request")).result(WAIT)).isEqualTo("thread-own");
            } finally {
                pool.shutdown();
            }
        });
    }

    /** A named thread pool's calls carry the context too, and every call of a map does. */
    @Test
    void mdcAndThreadLocalReachNamedPoolCallsAndMapCalls() {
        this.runner.run(context -> {
            ThreadPoolExecutor io = context.getBean("io", ThreadPoolExecutor.class);
            assertThat(seenOn(io)).isEqualTo("r-1/acme");
            MDC.put("request", "r-2");
            TENANT.set("globex");
            List<String> mapped = io.map(i -> i + ":" + seen(), List.of(1, 2, 3)).collect(Collectors.toList());
            assertThat(mapped).containsExactly("1:r-2/globex", "2:r-2/globex", "3:r-2/globex");
        });
    }

    /** On JDK 21+, the calls of a virtual-thread pool carry the context as well. */
    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void mdcAndThreadLocalReachVirtualPoolCalls() {
        this.runner.withPropertyValues("futures.thread.virtual=true").run(context -> {
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            // Thread.isVirtual() through reflection: this module compiles for Java 17
            Object virtual = pool.submit(() -> Thread.class.getMethod("isVirtual").invoke(Thread.currentThread())).result(WAIT);
            assertThat(virtual).isEqualTo(true);
            assertThat(seenOn(pool)).isEqualTo("r-1/acme");
        });
    }

    /** futures.propagate-context=false: the call sees nothing of the caller's context. */
    @Test
    void propagateContextFalseCarriesNothing() {
        this.runner.withPropertyValues("futures.propagate-context=false").run(context -> {
            assertThat(context).doesNotHaveBean("futuresContextCallInterceptor");
            assertThat(seenOn(context.getBean(ThreadPoolExecutor.class))).isEqualTo("null/null");
        });
    }

    /** A TaskDecorator bean applies to a plain submit (not only to @Async), once. */
    @Test
    void taskDecoratorAppliesToAPlainSubmitOnce() {
        AtomicInteger decorated = new AtomicInteger();
        TaskDecorator counting = task -> {
            decorated.incrementAndGet();
            return task;
        };
        this.runner.withPropertyValues("futures.propagate-context=false").withBean(TaskDecorator.class, () -> counting)
                .run(context -> {
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    assertThat(pool.submit(() -> 42).result(WAIT)).isEqualTo(42);
                    assertThat(decorated).hasValue(1);
                });
    }

    /** The @Async path over the default pool decorates a method's call once: the pool does it, the adapter does not. */
    @Test
    void asyncMethodIsDecoratedOnce() {
        AtomicInteger decorated = new AtomicInteger();
        this.runner.withUserConfiguration(AsyncService.class).withBean(TaskDecorator.class, () -> task -> {
            decorated.incrementAndGet();
            return task;
        }).run(context -> {
            assertThat(context.getBean(AsyncService.class).threadName().get(30, TimeUnit.SECONDS)).startsWith("futures-thread_");
            assertThat(decorated).hasValue(1);
        });
    }

    /** Without futures.observations.enabled no call is observed, even with an observation registry. */
    @Test
    void observationsAreOffByDefault() {
        FuturesCallScopesTests.Recorder recorder = new FuturesCallScopesTests.Recorder();
        this.runner.withBean(ObservationRegistry.class, () -> registry(recorder)).run(context -> {
            assertThat(context).doesNotHaveBean("futuresObservationCallInterceptor");
            assertThat(context.getBean(ThreadPoolExecutor.class).submit(() -> 1).result(WAIT)).isEqualTo(1);
            assertThat(recorder.started).isEmpty();
        });
    }

    /**
     * With observations on: a successful, a failed and a cancelled call each end their own observation
     * with the outcome, a child of the caller's; every observation started is stopped.
     */
    @SuppressWarnings("try") // the scope is held for its effect, not referenced
    @Test
    void observationsEndWithTheCallsOutcome() {
        FuturesCallScopesTests.Recorder recorder = new FuturesCallScopesTests.Recorder();
        this.runner.withPropertyValues("futures.observations.enabled=true", "futures.thread.max-workers=1")
                .withBean(ObservationRegistry.class, () -> registry(recorder)).run(context -> {
                    ObservationRegistry registry = context.getBean(ObservationRegistry.class);
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    Observation request = Observation.start("request", registry);
                    CountDownLatch release = new CountDownLatch(1);
                    Future<Object> blocker;
                    Future<Object> failing;
                    Future<Object> queued;
                    try (Observation.Scope ignored = request.openScope()) {
                        blocker = pool.submit(() -> release.await(30, TimeUnit.SECONDS));
                        failing = pool.submit(() -> {
                            throw new IllegalStateException("bad input");
                        });
                        queued = pool.submit(() -> "never");
                    }
                    assertThat(queued.cancel()).isTrue();
                    release.countDown();
                    assertThat(blocker.result(WAIT)).isEqualTo(true);
                    assertThat(failing.exception(WAIT)).isInstanceOf(IllegalStateException.class);
                    request.stop();
                    awaitStopped(recorder, 4);

                    List<FuturesCallObservationContext> calls = recorder.stopped.stream()
                            .filter(FuturesCallObservationContext.class::isInstance)
                            .map(FuturesCallObservationContext.class::cast).toList();
                    assertThat(calls).extracting(FuturesCallObservationContext::getOutcome)
                            .containsExactlyInAnyOrder("success", "failure", "cancelled");
                    assertThat(calls).allSatisfy(call -> {
                        assertThat(call.getName()).isEqualTo("futures.call");
                        assertThat(call.getPool()).isEqualTo("futuresThreadPool");
                        assertThat(call.getKind()).isEqualTo("thread");
                        assertThat(call.getParentObservation()).isSameAs(request);
                        assertThat(call.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo(call.getOutcome());
                    });
                    assertThat(calls).filteredOn(c -> c.getOutcome().equals("cancelled"))
                            .allSatisfy(c -> assertThat(c.getQueueWait()).isNull());
                    assertThat(calls).filteredOn(c -> c.getOutcome().equals("failure"))
                            .allSatisfy(c -> assertThat(c.getError()).hasMessage("bad input"));
                    assertThat(recorder.stopped).hasSameSizeAs(recorder.started);
                });
    }

    /** A submit refused by the pending limit ends its observation as rejected, and leaks none. */
    @Test
    void rejectedSubmitEndsItsObservationAsRejected() {
        FuturesCallScopesTests.Recorder recorder = new FuturesCallScopesTests.Recorder();
        this.runner.withPropertyValues("futures.observations.enabled=true", "futures.thread.max-workers=1",
                "futures.thread.max-pending=1").withBean(ObservationRegistry.class, () -> registry(recorder)).run(context -> {
                    ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
                    CountDownLatch running = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    Future<Object> blocker = pool.submit(() -> {
                        running.countDown();
                        return release.await(30, TimeUnit.SECONDS);
                    });
                    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
                    Future<Object> pending = pool.submit(() -> "later");
                    try {
                        pool.submit(() -> "refused");
                    } catch (java.util.concurrent.RejectedExecutionException expected) {
                        // the pending limit
                    }
                    release.countDown();
                    assertThat(pending.result(WAIT)).isEqualTo("later");
                    assertThat(blocker.result(WAIT)).isEqualTo(true);
                    awaitStopped(recorder, 3);
                    assertThat(recorder.stopped).extracting(c -> ((FuturesCallObservationContext) c).getOutcome())
                            .containsExactlyInAnyOrder("success", "success", "rejected");
                    assertThat(recorder.stopped).hasSameSizeAs(recorder.started);
                });
    }

    private static ObservationRegistry registry(FuturesCallScopesTests.Recorder recorder) {
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(recorder);
        return registry;
    }

    /** A future's end reaches its observation in the future's done callbacks, just after a waiter may wake. */
    private static void awaitStopped(FuturesCallScopesTests.Recorder recorder, int count) throws InterruptedException {
        assertThat(recorder.stops.tryAcquire(count, WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class AsyncService {

        @Async
        public java.util.concurrent.CompletableFuture<String> threadName() {
            return java.util.concurrent.CompletableFuture.completedFuture(Thread.currentThread().getName());
        }
    }
}
