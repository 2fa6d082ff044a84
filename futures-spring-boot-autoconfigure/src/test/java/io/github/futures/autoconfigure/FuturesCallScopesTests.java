package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.TimeoutError;
import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallInterceptor.CallInfo;
import io.github.futures.spi.CallScope;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.springframework.core.task.TaskDecorator;

/**
 * The starter's call scopes on their own, with plain callables run on a plain thread: what each one
 * restores, sends and reports, before any pool is involved.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FuturesCallScopesTests {

    /** A value of the application's own, propagated through a registered {@code ThreadLocalAccessor}. */
    static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    private static final CallInfo THREAD_CALL = new CallInfo("futuresThreadPool", "thread");

    private static final CallInfo PROCESS_CALL = new CallInfo("futuresProcessPool", "process");

    private static ExecutorService other;

    @BeforeAll
    static void registerTenantAndStartOtherThread() {
        ContextRegistry.getInstance().registerThreadLocalAccessor("test.tenant", TENANT);
        other = Executors.newSingleThreadExecutor();
    }

    @AfterAll
    static void unregisterTenant() {
        ContextRegistry.getInstance().removeThreadLocalAccessor("test.tenant");
        other.shutdownNow();
    }

    @AfterEach
    void clearThisThread() {
        MDC.clear();
        TENANT.remove();
    }

    private static <T> T onOtherThread(Callable<T> call) throws Exception {
        return other.submit(call).get(20, TimeUnit.SECONDS);
    }

    /** The MDC and a registered ThreadLocalAccessor's value are set around the call on another thread, and removed after it. */
    @Test
    void contextPropagationRestoresMdcAndThreadLocalsAroundTheCallOnly() throws Exception {
        FuturesContextPropagation propagation = new FuturesContextPropagation(ContextSnapshotFactory.builder().build(), null);
        MDC.put("request", "r-1");
        TENANT.set("acme");
        Callable<String> call = propagation.intercept(THREAD_CALL).wrap(() -> MDC.get("request") + "/" + TENANT.get());
        MDC.clear();
        TENANT.remove();
        assertThat(onOtherThread(call)).isEqualTo("r-1/acme");
        assertThat(onOtherThread(() -> MDC.get("request") + "/" + TENANT.get())).isEqualTo("null/null");
    }

    /** A call to another JVM carries the MDC and the current span as a W3C traceparent, without the submitter's own traceId/spanId entries. */
    @SuppressWarnings("try") // the scope is held for its effect, not referenced
    @Test
    void remoteCallCarriesMdcAndTraceparentOfTheCurrentSpan() {
        SimpleTracer tracer = new SimpleTracer();
        FuturesContextPropagation propagation = new FuturesContextPropagation(ContextSnapshotFactory.builder().build(),
                new FuturesTraceparents(() -> tracer));
        Span span = tracer.nextSpan().name("request").start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            MDC.put("request", "r-2");
            MDC.put("traceId", "submitter-trace");
            Map<String, String> remote = propagation.intercept(PROCESS_CALL).remoteContext();
            assertThat(remote).containsEntry("request", "r-2").doesNotContainKeys("traceId", "spanId");
            String traceId = span.context().traceId();
            assertThat(remote.get(CallScope.TRACEPARENT)).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")
                    .contains(traceId).contains(span.context().spanId());
        } finally {
            span.end();
        }
    }

    /** Without a current span nothing but the MDC is sent. */
    @Test
    void remoteCallWithoutASpanCarriesOnlyTheMdc() {
        FuturesContextPropagation propagation = new FuturesContextPropagation(ContextSnapshotFactory.builder().build(),
                new FuturesTraceparents(SimpleTracer::new));
        MDC.put("user", "u-1");
        assertThat(propagation.intercept(PROCESS_CALL).remoteContext()).isEqualTo(Map.of("user", "u-1"));
    }

    /** A task decorator sees a Runnable, yet the call's result, checked exception and Error reach the caller unchanged. */
    @Test
    void taskDecoratorKeepsResultAndExceptionsOfTheCall() throws Exception {
        List<String> seen = new ArrayList<>();
        TaskDecorator decorator = task -> () -> {
            seen.add("before");
            task.run();
            seen.add("after");
        };
        CallScope scope = new FuturesTaskDecorators(List.of(decorator)).intercept(THREAD_CALL);
        assertThat(onOtherThread(scope.wrap(() -> 42))).isEqualTo(42);
        assertThatThrownBy(() -> scope.wrap(() -> {
            throw new IOException("disk");
        }).call()).isInstanceOf(IOException.class).hasMessage("disk");
        assertThatThrownBy(() -> scope.wrap(() -> {
            throw new StackOverflowError("deep");
        }).call()).isInstanceOf(StackOverflowError.class).hasMessage("deep");
        assertThat(seen).containsExactly("before", "after", "before", "after", "before");
    }

    /** Several decorators compose as Spring's CompositeTaskDecorator does: the first bean is applied first, so runs innermost. */
    @Test
    void taskDecoratorsComposeInBeanOrder() throws Exception {
        List<String> order = new ArrayList<>();
        TaskDecorator first = task -> () -> {
            order.add("first");
            task.run();
        };
        TaskDecorator second = task -> () -> {
            order.add("second");
            task.run();
        };
        Callable<String> call = new FuturesTaskDecorators(List.of(first, second)).intercept(THREAD_CALL).wrap(() -> "ok");
        assertThat(call.call()).isEqualTo("ok");
        assertThat(order).containsExactly("second", "first");
    }

    /** No decorator bean: the interceptor leaves the call as it is. */
    @Test
    void noTaskDecoratorLeavesTheCallAlone() {
        assertThat(new FuturesTaskDecorators(List.of()).intercept(THREAD_CALL)).isSameAs(CallScope.NONE);
    }

    /** A call's observation is the child of the submitter's, named futures.call, with pool/kind/outcome and the queue wait and execution. */
    @SuppressWarnings("try") // the scope is held for its effect, not referenced
    @Test
    void observationIsChildOfTheSubmittersAndRecordsWaitAndExecution() throws Exception {
        TestObservationRegistry registry = TestObservationRegistry.create();
        FuturesCallObservations observations = new FuturesCallObservations(registry, null);
        Observation request = Observation.start("request", registry);
        CallScope scope;
        try (Observation.Scope ignored = request.openScope()) {
            scope = observations.intercept(THREAD_CALL);
        }
        Callable<Observation> call = scope.wrap(registry::getCurrentObservation);
        scope.started();
        Observation current = onOtherThread(call);
        scope.ended(null, false);
        scope.ended(null, false); // told twice: stopped once all the same
        request.stop();

        assertThat(current.getContextView()).isInstanceOf(FuturesCallObservationContext.class);
        FuturesCallObservationContext context = (FuturesCallObservationContext) current.getContext();
        assertThat(context.getParentObservation()).isSameAs(request);
        assertThat(context.getQueueWait()).isNotNull();
        assertThat(context.getExecution()).isNotNull();
        io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat(registry)
                .hasObservationWithNameEqualTo("futures.call").that()
                .hasBeenStarted().hasBeenStopped()
                .hasLowCardinalityKeyValue("pool", "futuresThreadPool")
                .hasLowCardinalityKeyValue("kind", "thread")
                .hasLowCardinalityKeyValue("outcome", "success")
                .hasHighCardinalityKeyValueWithKey("queue.wait.ms")
                .hasHighCardinalityKeyValueWithKey("execution.ms");
    }

    /** Each way a call can end gives its outcome; a failure is the observation's error, a cancellation is not. */
    @Test
    void observationOutcomeNamesHowTheCallEnded() {
        Recorder recorder = new Recorder();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(recorder);
        FuturesCallObservations observations = new FuturesCallObservations(registry, null);
        record Case(Throwable failure, boolean cancelled, String outcome) {
        }
        List<Case> cases = List.of(new Case(new IllegalStateException("bad"), false, "failure"),
                new Case(null, true, "cancelled"),
                new Case(new RejectedExecutionException("full"), false, "rejected"),
                new Case(new TimeoutError("slow"), false, "timeout"),
                new Case(new io.github.futures.BrokenThreadPool("broken"), false, "broken"));
        for (Case c : cases) {
            observations.intercept(THREAD_CALL).ended(c.failure(), c.cancelled());
        }
        assertThat(recorder.started).hasSize(cases.size());
        assertThat(recorder.stopped).hasSize(cases.size());
        for (int i = 0; i < cases.size(); i++) {
            Observation.Context context = recorder.stopped.get(i);
            assertThat(context.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo(cases.get(i).outcome());
            assertThat(context.getError()).isSameAs(cases.get(i).cancelled() ? null : cases.get(i).failure());
        }
    }

    /** Records the contexts of the observations started and stopped. */
    static final class Recorder implements ObservationHandler<Observation.Context> {

        final List<Observation.Context> started = new java.util.concurrent.CopyOnWriteArrayList<>();

        final List<Observation.Context> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();

        /** One permit per observation stopped. */
        final java.util.concurrent.Semaphore stops = new java.util.concurrent.Semaphore(0);

        @Override
        public void onStart(Observation.Context context) {
            this.started.add(context);
        }

        @Override
        public void onStop(Observation.Context context) {
            this.stopped.add(context);
            this.stops.release();
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    /** With the no-op registry (no observation handler) no observation is made. */
    @Test
    void noopRegistryMakesNoObservation() {
        assertThat(new FuturesCallObservations(ObservationRegistry.NOOP, null)
                .intercept(THREAD_CALL)).isSameAs(CallScope.NONE);
    }

    /** The interceptors of the context compose per pool and report the pool's bean name. */
    @Test
    void interceptorsReportTheBeanName() {
        List<CallInfo> seen = new ArrayList<>();
        CallInterceptor recording = call -> {
            seen.add(call);
            return CallScope.NONE;
        };
        CallInterceptor pool = new FuturesCallInterceptors(List.of(recording)).forPool("jobs");
        pool.intercept(new CallInfo("jobs-thread", "thread"));
        assertThat(seen).containsExactly(new CallInfo("jobs", "thread"));
        assertThat(new FuturesCallInterceptors(List.of()).forPool("jobs")).isNull();
    }
}
