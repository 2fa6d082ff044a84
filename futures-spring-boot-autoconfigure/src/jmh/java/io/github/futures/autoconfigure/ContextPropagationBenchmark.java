package io.github.futures.autoconfigure;

import io.github.futures.ThreadPoolExecutor;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.MDC;

/**
 * What {@code futures.propagate-context} costs a call: one submit and the wait for its result on a thread
 * pool of 4, bare ({@code mode=bare}) and with the starter's context propagation ({@code mode=context}: the
 * caller's MDC, two entries, and a {@code ContextSnapshot} with one registered {@code ThreadLocalAccessor}
 * besides Micrometer's observation accessor, captured at submit and set around the call).
 *
 * <p>Run (from the repository root):
 * <pre>
 * ./mvnw -B -o -q -Pbench -pl futures-spring-boot-autoconfigure -am test-compile
 * M=futures-spring-boot-autoconfigure/target
 * java -cp "$M/test-classes:$M/classes:$(cat $M/jmh-classpath.txt)" org.openjdk.jmh.Main ContextPropagationBenchmark
 * </pre>
 * Target: {@code context} at most 1.2 x {@code bare}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ContextPropagationBenchmark {

    /** The application's own thread-local value, propagated by its accessor. */
    static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    /** {@code bare}: no interceptor; {@code context}: the starter's context propagation. */
    @Param({"bare", "context"})
    public String mode;

    private ThreadPoolExecutor pool;

    /** Starts the pool and sets the caller's context. */
    @Setup
    public void setUp() {
        ContextRegistry.getInstance().registerThreadLocalAccessor("bench.tenant", TENANT);
        FuturesCallInterceptors interceptors = new FuturesCallInterceptors(
                mode.equals("context") ? List.of(new FuturesContextPropagation(ContextSnapshotFactory.builder().build(), null))
                        : List.of());
        this.pool = ThreadPoolExecutor.builder().maxWorkers(4).threadNamePrefix("bench")
                .callInterceptor(interceptors.forPool("bench")).build();
    }

    /** Stops the pool. */
    @TearDown
    public void tearDown() {
        this.pool.shutdown();
        ContextRegistry.getInstance().removeThreadLocalAccessor("bench.tenant");
    }

    /** The caller's context on each benchmark thread (JMH may run setup and benchmark on different threads). */
    @State(Scope.Thread)
    public static class Caller {

        /** Puts the MDC entries and the tenant. */
        @Setup
        public void setUp() {
            MDC.put("requestId", "r-42");
            MDC.put("user", "alice");
            TENANT.set("acme");
        }
    }

    /**
     * One submit and the wait for its result.
     *
     * @param caller the caller's context
     * @return the call's result
     */
    @Benchmark
    public int roundTrip(Caller caller) {
        return this.pool.submit(() -> 1).result();
    }
}
