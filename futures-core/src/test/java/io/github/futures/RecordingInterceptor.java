package io.github.futures;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A call interceptor for tests: carries the submitting thread's {@link #CONTEXT} value to the call (by
 * wrap, and as the remote entry {@code ctx}), and records what each scope is told, so that a test can
 * check every scope ended exactly once, started at most once and never after it ended.
 */
final class RecordingInterceptor implements CallInterceptor {

    /** The "context" of a thread: what a call should see of its submitter. */
    static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

    final ConcurrentLinkedQueue<Recorded> scopes = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<CallInfo> infos = new ConcurrentLinkedQueue<>();
    final AtomicInteger ends = new AtomicInteger();
    /** Extra remote entries every scope sends (e.g. an MDC entry, a traceparent). */
    volatile Map<String, String> remote = Map.of();

    @Override
    public CallScope intercept(CallInfo call) {
        infos.add(call);
        Recorded r = new Recorded(CONTEXT.get(), remote);
        scopes.add(r);
        return r;
    }

    /** Checks the life of every scope; returns the faults found, empty when all is well. */
    List<String> faults() {
        List<String> faults = new ArrayList<>();
        int i = 0;
        for (Recorded r : scopes) {
            if (r.endedCount.get() != 1) {
                faults.add("scope " + i + " ended " + r.endedCount.get() + " times");
            }
            if (r.startedCount.get() > 1) {
                faults.add("scope " + i + " started " + r.startedCount.get() + " times");
            }
            if (r.startedAfterEnd) {
                faults.add("scope " + i + " started after it ended");
            }
            if (r.wrapCount.get() > 1) {
                faults.add("scope " + i + " wrapped " + r.wrapCount.get() + " times");
            }
            i++;
        }
        return faults;
    }

    /** One call's scope and what it was told. */
    final class Recorded implements CallScope {
        final String context;
        final Map<String, String> extra;
        final AtomicInteger wrapCount = new AtomicInteger();
        final AtomicInteger startedCount = new AtomicInteger();
        final AtomicInteger endedCount = new AtomicInteger();
        volatile boolean startedAfterEnd;
        volatile Throwable failure;
        volatile boolean cancelled;

        Recorded(String context, Map<String, String> extra) {
            this.context = context;
            this.extra = extra;
        }

        @Override
        public <T> Callable<T> wrap(Callable<T> call) {
            wrapCount.incrementAndGet();
            return () -> {
                String before = CONTEXT.get();
                CONTEXT.set(context);
                try {
                    return call.call();
                } finally {
                    CONTEXT.set(before);
                }
            };
        }

        @Override
        public Map<String, String> remoteContext() {
            Map<String, String> m = new java.util.LinkedHashMap<>(extra);
            if (context != null) {
                m.put("ctx", context);
            }
            return m;
        }

        @Override
        public void started() {
            if (endedCount.get() > 0) {
                startedAfterEnd = true;
            }
            startedCount.incrementAndGet();
        }

        @Override
        public void ended(Throwable failure, boolean cancelled) {
            this.failure = failure;
            this.cancelled = cancelled;
            endedCount.incrementAndGet();
            synchronized (RecordingInterceptor.this) {
                ends.incrementAndGet();
                RecordingInterceptor.this.notifyAll();
            }
        }
    }

    /** Waits until {@code n} scopes ended in all, at most {@code millis}; whether they did. */
    synchronized boolean awaitEnds(int n, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (ends.get() < n) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Waits until {@code n} scopes ended in all (bounded by the test's timeout). */
    synchronized void awaitEnds(int n) throws InterruptedException {
        while (ends.get() < n) {
            wait();
        }
    }
}
