package io.github.futures.autoconfigure;

import io.github.futures.BrokenExecutor;
import io.github.futures.TimeoutError;
import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * {@code futures.observations.enabled}: each call is an {@link Observation} named {@value #NAME}, started
 * on the submitting thread as a child of its current observation and stopped when the call's future ends.
 *
 * <pre>
 *  submit ──start──▶ [queue wait] ──started: event futures.call.started──▶ [execution] ──future ends: stop
 *         (parent: the submitter's current observation)     (a thread pool runs the call in the observation's scope)
 * </pre>
 *
 * Low-cardinality keys: {@code pool} (bean name), {@code kind} ({@code thread}/{@code process}/{@code cluster}),
 * {@code outcome} (see {@link FuturesCallObservationContext#getOutcome()}). High-cardinality keys, set when
 * known: {@code queue.wait.ms} and {@code execution.ms}, in milliseconds. A meter handler makes of it a timer
 * {@value #NAME} (submit to end) tagged by the low-cardinality keys; a tracing handler a span per call, with the
 * start as an event. The span is the one whose {@code traceparent} is sent to a worker JVM or a cluster member.
 *
 * <p>Implementation note: a scope's {@code stopped} flag makes the stop happen once, whatever the pool does.
 */
final class FuturesCallObservations implements CallInterceptor {

    /** The observation's name. */
    static final String NAME = "futures.call";

    private static final Convention CONVENTION = new Convention();

    /** The start, after the queue wait; a span event of that name with a tracing handler. */
    private static final Observation.Event STARTED = Observation.Event.of(FuturesCallObservationContext.STARTED_EVENT);

    private final ObservationRegistry registry;

    private final Function<Observation.Context, String> traceparent;

    /**
     * @param registry where the observations go
     * @param traceparent an observation's span as a traceparent ({@code null} without Micrometer Tracing)
     */
    FuturesCallObservations(ObservationRegistry registry, Function<Observation.Context, String> traceparent) {
        this.registry = registry;
        this.traceparent = traceparent;
    }

    @Override
    public CallScope intercept(CallInfo call) {
        if (this.registry.isNoop()) {
            return CallScope.NONE;
        }
        FuturesCallObservationContext context = new FuturesCallObservationContext(call.pool(), call.kind());
        Observation observation = Observation.createNotStarted(null, CONVENTION, () -> context, this.registry)
                .parentObservation(this.registry.getCurrentObservation())
                .start();
        return new Scope(observation, context, this.traceparent);
    }

    /** One call's observation. */
    private static final class Scope implements CallScope {

        private final Observation observation;

        private final FuturesCallObservationContext context;

        private final Function<Observation.Context, String> traceparent;

        private final AtomicBoolean stopped = new AtomicBoolean();

        Scope(Observation observation, FuturesCallObservationContext context,
              Function<Observation.Context, String> traceparent) {
            this.observation = observation;
            this.context = context;
            this.traceparent = traceparent;
        }

        @SuppressWarnings("try") // the scope is held for its effect, not referenced
        @Override
        public <T> Callable<T> wrap(Callable<T> call) {
            Observation o = this.observation;
            return () -> {
                try (Observation.Scope ignored = o.openScope()) {
                    return call.call();
                }
            };
        }

        @Override
        public Map<String, String> remoteContext() {
            String tp = this.traceparent == null ? null : this.traceparent.apply(this.context);
            return tp == null ? Map.of() : Map.of(TRACEPARENT, tp);
        }

        @Override
        public void started() {
            this.context.started();
            this.observation.event(STARTED);
        }

        @Override
        public void ended(Throwable failure, boolean cancelled) {
            if (!this.stopped.compareAndSet(false, true)) {
                return;
            }
            this.context.ended(outcome(failure, cancelled));
            if (failure != null && !cancelled) {
                this.observation.error(failure);
            }
            this.observation.stop();
        }
    }

    static String outcome(Throwable failure, boolean cancelled) {
        if (cancelled) {
            return "cancelled";
        }
        if (failure == null) {
            return "success";
        }
        if (failure instanceof RejectedExecutionException) {
            return "rejected";
        }
        if (failure instanceof TimeoutError) {
            return "timeout";
        }
        if (failure instanceof BrokenExecutor) {
            return "broken";
        }
        return "failure";
    }

    /** The keys of a {@code futures.call} observation. */
    static final class Convention implements ObservationConvention<FuturesCallObservationContext> {

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public String getContextualName(FuturesCallObservationContext context) {
            return NAME + " " + context.getPool();
        }

        @Override
        public KeyValues getLowCardinalityKeyValues(FuturesCallObservationContext context) {
            String outcome = context.getOutcome();
            return KeyValues.of("pool", context.getPool(), "kind", context.getKind(),
                    "outcome", outcome == null ? "unknown" : outcome);
        }

        @Override
        public KeyValues getHighCardinalityKeyValues(FuturesCallObservationContext context) {
            KeyValues values = KeyValues.empty();
            if (context.getQueueWait() != null) {
                values = values.and("queue.wait.ms", millis(context.getQueueWait()));
            }
            if (context.getExecution() != null) {
                values = values.and("execution.ms", millis(context.getExecution()));
            }
            return values;
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return context instanceof FuturesCallObservationContext;
        }

        private static String millis(Duration d) {
            return String.format(java.util.Locale.ROOT, "%.3f", d.toNanos() / 1_000_000.0);
        }
    }
}
