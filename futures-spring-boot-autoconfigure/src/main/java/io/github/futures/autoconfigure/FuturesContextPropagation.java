package io.github.futures.autoconfigure;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.springframework.util.ClassUtils;

/**
 * {@code futures.propagate-context}: each call carries the submitting thread's context.
 * <ul>
 * <li>On a pool thread of this JVM (platform or virtual): the caller's MDC entries and Micrometer's
 *     {@link ContextSnapshot} (every registered {@code ThreadLocalAccessor}: the current observation, so the
 *     current span, and the application's own) are set around the call, and the thread's own values put back
 *     after it. MDC entries are put one by one over the thread's: a pool thread's MDC is empty unless a call
 *     left something in it.</li>
 * <li>To a worker JVM or a cluster member: the MDC entries, and the current trace as a W3C
 *     {@value CallScope#TRACEPARENT} entry (when Micrometer Tracing is present). The submitter's
 *     {@code traceId}/{@code spanId} MDC entries are left out when a traceparent is sent: the other side
 *     derives them from it.</li>
 * </ul>
 * Both are captured in {@link #intercept}, on the submitting thread, when the call is accepted.
 */
final class FuturesContextPropagation implements CallInterceptor {

    private static final boolean MDC_PRESENT = ClassUtils.isPresent("org.slf4j.MDC",
            FuturesContextPropagation.class.getClassLoader());

    private static final boolean LOGBACK_PRESENT = MDC_PRESENT && ClassUtils.isPresent(
            "ch.qos.logback.classic.util.LogbackMDCAdapter", FuturesContextPropagation.class.getClassLoader());

    private final ContextSnapshotFactory snapshots;

    private final FuturesTraceparents traceparents;

    /**
     * @param snapshots captures the snapshots
     * @param traceparents the current trace as a traceparent, or {@code null} without Micrometer Tracing
     */
    FuturesContextPropagation(ContextSnapshotFactory snapshots, FuturesTraceparents traceparents) {
        this.snapshots = snapshots;
        this.traceparents = traceparents;
    }

    @Override
    public CallScope intercept(CallInfo call) {
        return new Scope(this.snapshots.captureAll(), MDC_PRESENT ? Mdc.capture() : null, this.traceparents);
    }

    /**
     * One call's context. {@link #wrap} serves calls run on a thread of this JVM (and a map's later submits,
     * which a buffered map may make from another thread); {@link #remoteContext} calls run elsewhere, and is
     * asked on the submitting thread, where the current span is the caller's.
     */
    private static final class Scope implements CallScope {

        private final ContextSnapshot snapshot;

        private final Map<String, String> mdc;

        private final FuturesTraceparents traceparents;

        Scope(ContextSnapshot snapshot, Map<String, String> mdc, FuturesTraceparents traceparents) {
            this.snapshot = snapshot;
            this.mdc = mdc;
            this.traceparents = traceparents;
        }

        @Override
        public <T> Callable<T> wrap(Callable<T> call) {
            Callable<T> restored = this.snapshot.wrap(call);
            if (!MDC_PRESENT) {
                return restored;
            }
            Map<String, String> captured = this.mdc;
            if (captured == null) {
                return restored;
            }
            return () -> {
                String[] own = Mdc.put(captured);
                try {
                    return restored.call();
                } finally {
                    Mdc.restore(captured, own);
                }
            };
        }

        @Override
        public Map<String, String> remoteContext() {
            String traceparent = this.traceparents == null ? null : this.traceparents.current();
            if (this.mdc == null && traceparent == null) {
                return Map.of();
            }
            Map<String, String> m = new LinkedHashMap<>();
            if (this.mdc != null) {
                for (Map.Entry<String, String> e : this.mdc.entrySet()) {
                    if (e.getKey() != null && e.getValue() != null) { // a remote call cannot carry nulls
                        m.put(e.getKey(), e.getValue());
                    }
                }
            }
            if (traceparent != null) {
                m.remove("traceId");
                m.remove("spanId");
                m.put(TRACEPARENT, traceparent);
            }
            return m;
        }
    }

    /** The SLF4J MDC; only touched when SLF4J is present. */
    static final class Mdc {

        private Mdc() {
        }

        /**
         * The current thread's entries, or {@code null} when it has none. Under Logback, its read-only view of the
         * thread's MDC, which it keeps until the thread's MDC changes: no copy per call, and an unmodifiable map that
         * the worker may read. Otherwise a copy. Entries with a {@code null} key or value are skipped where the map is
         * used ({@link #put}, {@link #restore}, {@link Scope#remoteContext}).
         */
        static Map<String, String> capture() {
            Map<String, String> m = LOGBACK_PRESENT ? Logback.readOnly() : null;
            if (m == null) {
                m = org.slf4j.MDC.getCopyOfContextMap();
            }
            return m == null || m.isEmpty() ? null : m;
        }

        /**
         * Puts {@code entries} in the thread's MDC, entry by entry (cheaper than replacing the whole map, which
         * copies it twice), and returns the values they replaced, in the entries' iteration order.
         */
        static String[] put(Map<String, String> entries) {
            String[] own = new String[entries.size()];
            int i = 0;
            for (Map.Entry<String, String> e : entries.entrySet()) {
                String key = e.getKey();
                String value = e.getValue();
                if (key != null && value != null) {
                    own[i] = org.slf4j.MDC.get(key);
                    org.slf4j.MDC.put(key, value);
                }
                i++;
            }
            return own;
        }

        /** Puts back what {@link #put} replaced: the thread's own values, or no entry where it had none. */
        static void restore(Map<String, String> entries, String[] own) {
            int i = 0;
            for (Map.Entry<String, String> e : entries.entrySet()) {
                String key = e.getKey();
                String value = own[i++];
                if (key == null || e.getValue() == null) {
                    continue; // not put
                }
                if (value == null) {
                    org.slf4j.MDC.remove(key);
                } else {
                    org.slf4j.MDC.put(key, value);
                }
            }
        }
    }

    /** Logback's MDC; only touched when Logback is present. */
    static final class Logback {

        private Logback() {
        }

        /** Logback's read-only view of the thread's MDC, or {@code null} when the MDC is not Logback's. */
        static Map<String, String> readOnly() {
            return org.slf4j.MDC.getMDCAdapter() instanceof ch.qos.logback.classic.util.LogbackMDCAdapter logback
                    ? logback.getPropertyMap() : null;
        }
    }
}
