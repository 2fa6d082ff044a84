package io.github.futures.sample;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/**
 * A plain Spring {@code @Async} service: with the starter on the classpath, its calls run on the futures
 * thread pool instead of Spring's default executor, and in the trace of the request that called them (the
 * starter carries the caller's context to the pool's thread).
 */
@Service
public class AsyncExample {

    private final ObjectProvider<Tracer> tracer;

    public AsyncExample(ObjectProvider<Tracer> tracer) {
        this.tracer = tracer;
    }

    /**
     * Runs on the pool that backs {@code @Async} and tells which thread that was.
     *
     * @param name who to greet
     * @return a future completed on the pool's thread
     */
    @Async
    public CompletableFuture<AsyncReport> greet(String name) {
        return CompletableFuture.completedFuture(new AsyncReport("Hello, " + name + "!",
                Thread.currentThread().getName(), Instant.now(), currentTraceId()));
    }

    /** The trace the method runs in, or {@code null} without tracing. */
    private String currentTraceId() {
        Tracer t = this.tracer.getIfAvailable();
        Span span = t == null ? null : t.currentSpan();
        return span == null ? null : span.context().traceId();
    }

    /**
     * The answer of {@code GET /api/async}.
     *
     * @param message the greeting
     * @param thread the thread the {@code @Async} method ran on
     * @param at when it ran
     * @param traceId the trace it ran under: the request's ({@code null} without tracing)
     */
    public record AsyncReport(String message, String thread, Instant at, String traceId) {
    }
}
