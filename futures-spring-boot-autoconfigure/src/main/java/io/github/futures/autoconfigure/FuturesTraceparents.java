package io.github.futures.autoconfigure;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.util.function.Supplier;

/**
 * Writes a trace context as a W3C {@code traceparent} ({@code 00-<trace id>-<span id>-<flags>}), the entry
 * that carries the trace to a worker JVM or a cluster member. Written here from Micrometer Tracing's
 * {@link TraceContext}, whichever tracer bridge the application uses (the OpenTelemetry bridge's propagator
 * writes the same; Brave's may be configured for B3). A 64-bit trace id is padded to the 128 bits W3C asks for.
 */
final class FuturesTraceparents {

    private final Supplier<Tracer> tracer;

    /**
     * @param tracer the application's tracer, looked up on use ({@code null} from it: no tracing)
     */
    FuturesTraceparents(Supplier<Tracer> tracer) {
        this.tracer = tracer;
    }

    /** The current span of the calling thread as a traceparent, or {@code null}. */
    String current() {
        Tracer t = this.tracer.get();
        Span span = t == null ? null : t.currentSpan();
        return span == null ? null : format(span.context());
    }

    /**
     * The span of an observation (made by Micrometer Tracing's handler) as a traceparent, or {@code null}.
     *
     * @param context the observation's context
     */
    static String of(io.micrometer.observation.Observation.Context context) {
        TracingObservationHandler.TracingContext tracing = context.get(TracingObservationHandler.TracingContext.class);
        Span span = tracing == null ? null : tracing.getSpan();
        return span == null ? null : format(span.context());
    }

    /** The application's tracer, looked up on each use. */
    static FuturesTraceparents from(org.springframework.beans.factory.BeanFactory beanFactory) {
        org.springframework.beans.factory.ObjectProvider<Tracer> tracer = beanFactory.getBeanProvider(Tracer.class);
        return new FuturesTraceparents(tracer::getIfUnique);
    }

    /** {@link #of} as a function. */
    static java.util.function.Function<io.micrometer.observation.Observation.Context, String> observationSpan() {
        return FuturesTraceparents::of;
    }

    static String format(TraceContext context) {
        String traceId = context.traceId();
        String spanId = context.spanId();
        if (traceId == null || spanId == null || traceId.isEmpty() || spanId.isEmpty()) {
            return null;
        }
        boolean sampled = Boolean.TRUE.equals(context.sampled());
        return "00-" + pad(traceId, 32) + "-" + pad(spanId, 16) + "-" + (sampled ? "01" : "00");
    }

    private static String pad(String id, int length) {
        return id.length() >= length ? id : "0".repeat(length - id.length()) + id;
    }
}
