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
 * Target: {@code roundTrip} with {@code context} at most 1.2 x {@code bare}. {@code inline} gives the
 * propagation's own cost on one thread, steadier than a round trip on a loaded machine.
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

    /**
     * {@code bare}: no interceptor; {@code scope}: an interceptor whose scope does nothing (what the pool itself
     * spends on a call with a scope); {@code context}: the starter's context propagation.
     */
    @Param({"bare", "scope", "context"})
    public String mode;

    private ThreadPoolExecutor pool;

    private io.github.futures.spi.CallInterceptor interceptor;

    /** Starts the pool and sets the caller's context. */
    @Setup
    public void setUp() {
        ContextRegistry.getInstance().registerThreadLocalAccessor("bench.tenant", TENANT);
        io.github.futures.spi.CallScope nothing = new io.github.futures.spi.CallScope() {
        };
        FuturesCallInterceptors interceptors = new FuturesCallInterceptors(switch (mode) {
            case "context" -> List.of(new FuturesContextPropagation(ContextSnapshotFactory.builder().build(), null));
            case "scope" -> List.of(call -> nothing);
            default -> List.of();
        });
        this.interceptor = interceptors.forPool("bench");
        this.pool = ThreadPoolExecutor.builder().maxWorkers(4).threadNamePrefix("bench").callInterceptor(this.interceptor).build();
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
     * The propagation's own cost, without a thread hop: the interceptor asked, the call wrapped and run on this
     * thread, its scope told of the start and the end (what a submit adds on the caller and the worker).
     *
     * @param caller the caller's context
     * @return the call's result
     */
    @Benchmark
    public int inline(Caller caller) throws Exception {
        if (this.interceptor == null) {
            return ONE.call();
        }
        io.github.futures.spi.CallScope scope = this.interceptor.intercept(INFO);
        java.util.concurrent.Callable<Integer> wrapped = scope.wrap(ONE);
        scope.started();
        int result = wrapped.call();
        scope.ended(null, false);
        return result;
    }

    private static final java.util.concurrent.Callable<Integer> ONE = () -> 1;

    private static final io.github.futures.spi.CallInterceptor.CallInfo INFO =
            new io.github.futures.spi.CallInterceptor.CallInfo("bench", "thread");

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
