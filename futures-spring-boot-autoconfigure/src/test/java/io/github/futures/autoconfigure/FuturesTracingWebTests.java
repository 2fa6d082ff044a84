package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * One trace across every boundary, on a real HTTP server with Micrometer Tracing's OpenTelemetry bridge: a web
 * request calls an {@code @Async} method on the thread pool, which calls the process pool; the spans are recorded
 * by an {@link InMemorySpanExporter}, and the worker JVM reports the trace it saw in its MDC.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesTracingWebTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(TracedApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off",
                        "management.tracing.sampling.probability=1.0", "futures.observations.enabled=true",
                        "futures.thread.max-workers=2", "futures.process.max-workers=1")
                .run();
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    /**
     * Request, {@code @Async} call and process call are one trace: the thread pool's call span is a child of
     * the request's server span, the process call's span a child of that; the worker's MDC holds the trace id
     * and the process call's span id.
     */
    @Test
    void requestAsyncMethodAndProcessCallAreOneTrace() throws Exception {
        RecordingSpans spans = context.getBean(RecordingSpans.class);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/traced")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        SpanData server = spans.awaitServerSpan();
        SpanData threadCall = spans.awaitCall(server.getTraceId(), "futuresThreadPool");
        SpanData processCall = spans.awaitCall(server.getTraceId(), "futuresProcessPool");

        String traceId = server.getTraceId();
        assertThat(threadCall.getTraceId()).isEqualTo(traceId);
        assertThat(processCall.getTraceId()).isEqualTo(traceId);
        assertThat(threadCall.getParentSpanId()).isEqualTo(server.getSpanId());
        assertThat(processCall.getParentSpanId()).isEqualTo(threadCall.getSpanId());
        assertThat(threadCall.getAttributes().asMap().toString()).contains("outcome=success", "kind=thread");
        assertThat(processCall.getEvents()).extracting(e -> e.getName()).contains(FuturesCallObservationContext.STARTED_EVENT);

        // the worker JVM's MDC during the call: the request's trace, the process call's span
        assertThat(response.body()).isEqualTo(traceId + "/" + processCall.getSpanId());
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableAsync
    @Import({ TracedController.class, TracedService.class })
    static class TracedApplication {

        @Bean
        RecordingSpans recordingSpans() {
            return new RecordingSpans();
        }
    }

    /** Exports each span as it ends (no batching), and counts the ends. */
    static final class RecordingSpans implements SpanProcessor {

        final InMemorySpanExporter exporter = InMemorySpanExporter.create();

        final Semaphore ended = new Semaphore(0);

        private final SpanProcessor simple = SimpleSpanProcessor.create(this.exporter);

        /** The first server span to end. */
        SpanData awaitServerSpan() throws InterruptedException {
            return await(s -> s.getKind() == SpanKind.SERVER, "a server span");
        }

        /** The span of a call of {@code pool} in the trace {@code traceId} (the start-up check's own calls are in none). */
        SpanData awaitCall(String traceId, String pool) throws InterruptedException {
            return await(s -> s.getTraceId().equals(traceId) && s.getName().equals("futures.call " + pool),
                    "the span of a call of " + pool);
        }

        /** Waits, one ended span at a time, for a span that matches. */
        private SpanData await(java.util.function.Predicate<SpanData> matching, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                for (SpanData s : this.exporter.getFinishedSpanItems()) {
                    if (matching.test(s)) {
                        return s;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !this.ended.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("no " + what + " in " + this.exporter.getFinishedSpanItems());
                }
            }
        }

        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
            this.simple.onStart(parentContext, span);
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            this.simple.onEnd(span);
            this.ended.release();
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }

        @Override
        public CompletableResultCode shutdown() {
            return this.simple.shutdown();
        }
    }

    @RestController
    static class TracedController {

        private final TracedService service;

        TracedController(TracedService service) {
            this.service = service;
        }

        @GetMapping("/traced")
        CompletableFuture<String> traced() {
            return this.service.inWorker();
        }
    }

    @Service
    static class TracedService {

        private final ProcessPoolExecutor processes;

        TracedService(ProcessPoolExecutor processes) {
            this.processes = processes;
        }

        /** On the thread pool: asks a worker JVM for the trace and span ids in its MDC. */
        @Async
        public CompletableFuture<String> inWorker() {
            String seen = this.processes.submit((SerializableCallable<String>) () -> MDC.get("traceId") + "/" + MDC.get("spanId"))
                    .result(WAIT);
            return CompletableFuture.completedFuture(seen);
        }
    }
}
