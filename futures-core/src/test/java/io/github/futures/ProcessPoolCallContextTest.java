package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * A process pool's call interceptor: the scope's remote entries travel with each call to a real worker
 * JVM and are restored there as SLF4J MDC entries (with traceId/spanId from a valid traceparent), put
 * back after the call, and the worker's forwarded output lines carry the caller's trace id.
 */
@Timeout(120)
class ProcessPoolCallContextTest {

    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SPAN_ID = "00f067aa0ba902b7";
    static final String TRACEPARENT = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";

    private static SerializableCallable<String> seenMdc() {
        return () -> MDC.get("requestId") + "|" + MDC.get("traceparent") + "|" + MDC.get("traceId") + "|"
                + MDC.get("spanId");
    }

    private static ProcessPoolExecutor pool(RecordingInterceptor ic) {
        return ProcessPoolExecutor.builder().maxWorkers(1).callInterceptor(ic).build();
    }

    /** MDC entries and the traceparent of the submitter are MDC entries inside the call in the worker, with traceId and spanId. */
    @Test
    void mdcEntriesAndTraceparentAreVisibleInsideTheCallInTheWorker() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        ic.remote = Map.of("requestId", "r-1", "traceparent", TRACEPARENT);
        try (ProcessPoolExecutor p = pool(ic)) {
            assertThat(p.submit(seenMdc()).result()).isEqualTo("r-1|" + TRACEPARENT + "|" + TRACE_ID + "|" + SPAN_ID);
            ic.awaitEnds(1);
        }
        assertThat(ic.infos).allSatisfy(i -> assertThat(i.kind()).isEqualTo("process"));
        assertThat(ic.infos.peek().pool()).startsWith("ProcessPoolExecutor-");
        assertThat(ic.scopes.peek().startedCount).hasValue(1);
        assertThat(ic.faults()).isEmpty();
    }

    /** Each map chunk carries the entries too. */
    @Test
    void mapChunksCarryTheEntries() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        ic.remote = Map.of("requestId", "r-map");
        try (ProcessPoolExecutor p = pool(ic)) {
            List<String> seen = p.map((SerializableFunction<Integer, String>) i -> MDC.get("requestId") + i,
                    List.of(1, 2, 3), MapOptions.DEFAULTS.withChunksize(2)).toList();
            assertThat(seen).containsExactly("r-map1", "r-map2", "r-map3");
            ic.awaitEnds(3); // two chunks and the map
        }
        assertThat(ic.faults()).isEmpty();
    }

    /** After a call with entries, failing or not, the next call without entries sees none of them. */
    @Test
    void entriesDoNotLeakIntoTheNextCallEvenAfterAFailingCall() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        try (ProcessPoolExecutor p = pool(ic)) {
            ic.remote = Map.of("requestId", "r-fails", "traceparent", TRACEPARENT);
            Future<Object> failing = p.submit((SerializableCallable<Object>) () -> {
                throw new IllegalStateException("saw " + MDC.get("requestId"));
            });
            assertThat(failing.exception()).hasMessage("saw r-fails");
            ic.remote = Map.of();
            assertThat(p.submit(seenMdc()).result()).isEqualTo("null|null|null|null");
            ic.remote = Map.of("requestId", "r-ok");
            assertThat(p.submit(seenMdc()).result()).isEqualTo("r-ok|null|null|null");
            ic.remote = Map.of();
            assertThat(p.submit(seenMdc()).result()).isEqualTo("null|null|null|null");
            ic.awaitEnds(4);
        }
        assertThat(ic.faults()).isEmpty();
    }

    /** A malformed traceparent travels as an MDC entry but gives no traceId or spanId. */
    @Test
    void malformedTraceparentIsIgnoredForTraceIds() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        ic.remote = Map.of("traceparent", "00-" + TRACE_ID + "-0000000000000000-01");
        try (ProcessPoolExecutor p = pool(ic)) {
            assertThat(p.submit(seenMdc()).result()).isEqualTo("null|00-" + TRACE_ID + "-0000000000000000-01|null|null");
        }
    }

    /** More entries than the bound: the call still runs, with the entries that fit. */
    @Test
    void oversizedContextIsBoundedNotRefused() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            many.put("k" + i, "v".repeat(200));
        }
        many.put("huge", "x".repeat(100_000));
        ic.remote = many;
        try (ProcessPoolExecutor p = pool(ic)) {
            String seen = p.submit((SerializableCallable<String>) () -> MDC.get("k0") + "|" + MDC.get("k199") + "|"
                    + MDC.get("huge")).result();
            assertThat(seen).isEqualTo("v".repeat(200) + "|null|null");
        }
    }

    /** A line the worker prints while a call with a traceparent runs is forwarded with the caller's trace id; others are not. */
    @Test
    void workerLogLineCarriesTheCallersTraceId() throws Exception {
        RecordingInterceptor ic = new RecordingInterceptor();
        String nonce = Long.toHexString(System.nanoTime());
        LineCapture capture = new LineCapture("traced-" + nonce, "plain-" + nonce);
        PrintStream previous = System.err;
        System.setErr(capture.stream());
        try (ProcessPoolExecutor p = pool(ic)) {
            ic.remote = Map.of("traceparent", TRACEPARENT);
            long pid = p.submit((SerializableCallable<Long>) () -> {
                System.out.println("traced-" + nonce);
                return ProcessHandle.current().pid();
            }).result();
            ic.remote = Map.of();
            p.submit((SerializableCallable<Long>) () -> {
                System.err.println("plain-" + nonce);
                return 0L;
            }).result();
            assertThat(capture.await()).isTrue();
            assertThat(capture.text()).contains("[worker " + pid + " trace=" + TRACE_ID + "] traced-" + nonce)
                    .contains("[worker " + pid + "] plain-" + nonce);
        } finally {
            System.setErr(previous);
        }
    }

    /** Captures what the pool forwards to System.err; counts down once every expected text was seen. */
    static final class LineCapture {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final String[] expected;
        private final CountDownLatch seen = new CountDownLatch(1);

        LineCapture(String... expected) {
            this.expected = expected;
        }

        PrintStream stream() {
            return new PrintStream(new java.io.OutputStream() {
                @Override
                public synchronized void write(int b) {
                    bytes.write(b);
                    if (b == '\n') {
                        check();
                    }
                }
            }, true, StandardCharsets.UTF_8);
        }

        private void check() {
            String t = text();
            for (String e : expected) {
                if (!t.contains(e)) {
                    return;
                }
            }
            seen.countDown();
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        boolean await() throws InterruptedException {
            return seen.await(60, TimeUnit.SECONDS);
        }
    }
}
