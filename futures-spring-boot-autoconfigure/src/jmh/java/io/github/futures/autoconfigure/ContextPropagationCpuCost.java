package io.github.futures.autoconfigure;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.MDC;

/**
 * The CPU time that context propagation adds to one call, measured with the thread's CPU clock: on a
 * machine shared with other work, wall-clock figures (JMH's) mostly measure time spent descheduled, while
 * this one does not. Same work as {@link ContextPropagationBenchmark#inline} (two MDC entries, one
 * application {@code ThreadLocalAccessor}): the interceptor asked, the call wrapped and run on this thread,
 * its scope told of the start and the end. Prints, per round of 200 000 calls, the CPU and wall time per call.
 *
 * <p>Run (after building as {@link ContextPropagationBenchmark} says):
 * <pre>
 * java -cp "$M/test-classes:$M/classes:$(cat $M/jmh-classpath.txt)" io.github.futures.autoconfigure.ContextPropagationCpuCost
 * </pre>
 */
public final class ContextPropagationCpuCost {

    private static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    private ContextPropagationCpuCost() {
    }

    /**
     * Measures.
     *
     * @param args unused
     * @throws Exception never, in practice: the call returns 1
     */
    public static void main(String[] args) throws Exception {
        ContextRegistry.getInstance().registerThreadLocalAccessor("bench.tenant", TENANT);
        MDC.put("requestId", "r-42");
        MDC.put("user", "alice");
        TENANT.set("acme");
        CallInterceptor interceptor = new FuturesCallInterceptors(
                List.of(new FuturesContextPropagation(ContextSnapshotFactory.builder().build(), null))).forPool("bench");
        CallInterceptor.CallInfo info = new CallInterceptor.CallInfo("bench", "thread");
        Callable<Integer> one = () -> 1;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int calls = 200_000;
        for (int round = 1; round <= 10; round++) {
            long sum = 0;
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                CallScope scope = interceptor.intercept(info);
                Callable<Integer> wrapped = scope.wrap(one);
                scope.started();
                sum += wrapped.call();
                scope.ended(null, false);
            }
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            wall = System.nanoTime() - wall;
            if (sum != calls) {
                throw new IllegalStateException("lost calls: " + sum);
            }
            System.out.printf("round %2d: cpu %5.0f ns/call, wall %6.0f ns/call%n", round, cpu / (double) calls,
                    wall / (double) calls);
        }
    }
}
