package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * A cluster executor's call interceptor on a real two-member cluster (this JVM and a child JVM): the
 * scope's remote entries travel with each call and are MDC entries around it on the member, put back
 * after it; every scope is started once and ended once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterCallContextTest extends OneChildCluster {

    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    /** Gives each call the entries in {@link #remote}, and counts what each scope is told. */
    static final class Counting implements CallInterceptor {
        volatile Map<String, String> remote = Map.of();
        final ConcurrentLinkedQueue<CallInfo> infos = new ConcurrentLinkedQueue<>();
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        final AtomicInteger twice = new AtomicInteger();
        final CountDownLatch allEnded;
        /** One permit per end told: waits for a count of ends not known in advance. */
        final Semaphore endings = new Semaphore(0);

        Counting(int calls) {
            allEnded = new CountDownLatch(calls);
        }

        @Override
        public CallScope intercept(CallInfo call) {
            infos.add(call);
            Map<String, String> entries = remote;
            AtomicInteger ends = new AtomicInteger();
            return new CallScope() {
                @Override
                public Map<String, String> remoteContext() {
                    return entries;
                }

                @Override
                public void started() {
                    started.incrementAndGet();
                }

                @Override
                public void ended(Throwable failure, boolean cancelled) {
                    if (ends.incrementAndGet() > 1) {
                        twice.incrementAndGet();
                    }
                    ended.incrementAndGet();
                    allEnded.countDown();
                    endings.release();
                }
            };
        }
    }

    private static SerializableCallable<String> seenOnMember() {
        return () -> ProcessHandle.current().pid() + "|" + MDC.get("requestId") + "|" + MDC.get("traceId");
    }

    /** The entries are MDC entries inside the call on the other member, and are gone for its next call, also after a failing one. */
    @Test
    void entriesAreMdcOnTheMemberAndGoneAfterTheCall() throws Exception {
        Counting ic = new Counting(3);
        long child = cluster.get().children.get(0).pid();
        try (ClusterExecutor ex = onChild().maxWorkers(1).callInterceptor(ic).build()) {
            ic.remote = Map.of("requestId", "r-7", "traceparent", TRACEPARENT);
            assertThat(ex.submit(seenOnMember()).result()).isEqualTo(child + "|r-7|" + TRACE_ID);
            Future<Object> failing = ex.submit((SerializableCallable<Object>) () -> {
                throw new IllegalStateException("saw " + MDC.get("requestId") + " on " + Thread.currentThread().getName());
            });
            String message = failing.exception().getMessage();
            assertThat(message).startsWith("saw r-7 on ");
            String thread = message.substring("saw r-7 on ".length());
            ic.remote = Map.of();
            // The member runs calls on a pool of threads: call until one runs on the thread of the failing call
            // (bounded: with 16 threads, 500 sequential calls all missing it is beyond belief).
            boolean sameThread = false;
            int calls = 0;
            while (!sameThread && calls < 500) {
                String seen = ex.submit((SerializableCallable<String>) () -> Thread.currentThread().getName() + "|"
                        + MDC.get("requestId") + "|" + MDC.get("traceId")).result();
                calls++;
                assertThat(seen).endsWith("|null|null");
                sameThread = seen.startsWith(thread + "|");
            }
            assertThat(sameThread).as("a call ran on the member thread of the failing call").isTrue();
            // A scope ends in its future's done callback, which runs after the future's waiters are woken:
            // wait for every end, then count.
            assertThat(ic.endings.tryAcquire(2 + calls, 30, TimeUnit.SECONDS)).isTrue();
            assertThat(ic.ended).hasValue(2 + calls);
            assertThat(ic.started).hasValue(2 + calls);
        }
        assertThat(ic.infos).allSatisfy(i -> assertThat(i.kind()).isEqualTo("cluster"));
        assertThat(ic.twice).hasValue(0);
    }

    /** Each chunk of a map carries the entries to the member. */
    @Test
    void mapChunksCarryTheEntries() throws Exception {
        Counting ic = new Counting(3); // two chunks and the map itself
        ic.remote = Map.of("requestId", "r-map");
        try (ClusterExecutor ex = onChild().callInterceptor(ic).build()) {
            List<String> seen = ex.map((SerializableFunction<Integer, String>) i -> MDC.get("requestId") + i,
                    List.of(1, 2, 3), MapOptions.DEFAULTS.withChunksize(2)).toList();
            assertThat(seen).containsExactly("r-map1", "r-map2", "r-map3");
            assertThat(ic.allEnded.await(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ic.twice).hasValue(0);
    }
}
