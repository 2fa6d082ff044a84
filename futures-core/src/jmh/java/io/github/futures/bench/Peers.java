package io.github.futures.bench;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Creates the peer pools by the name used in the benchmarks' {@code impl} parameter.
 *
 * <p>{@code jdk} is {@link Executors#newFixedThreadPool(int)}: a {@code java.util.concurrent.ThreadPoolExecutor}
 * with {@code workers} core and maximum threads and an unbounded {@code LinkedBlockingQueue}.
 * {@code spring} is Spring's {@code ThreadPoolTaskExecutor} with the same worker count (core = max,
 * its default unbounded queue); its adapter lives in {@code src/jmh/peers}, compiled only with the
 * {@code bench} profile, because futures-core must not depend on Spring.
 */
public final class Peers {

    /** Our pool: benchmarks call io.github.futures directly for it. */
    public static final String FUTURES = "futures";
    /** The JDK's fixed thread pool. */
    public static final String JDK = "jdk";
    /** Spring's ThreadPoolTaskExecutor (needs -Pbench). */
    public static final String SPRING = "spring";
    /**
     * The JDK's fixed pool metered by Micrometer's {@code ExecutorServiceMetrics} (needs -Pbench);
     * only the metrics benchmark uses it, so it is not among {@link #available()}.
     */
    public static final String JDK_MICROMETER = "jdk-micrometer";

    private static final String SPRING_POOL = "io.github.futures.bench.peers.SpringPool";
    private static final String MICROMETER_JDK_POOL = "io.github.futures.bench.peers.MicrometerJdkPool";

    private Peers() {
    }

    /**
     * The implementations that can run in this build: {@code futures} and {@code jdk} always,
     * {@code spring} when the bench profile compiled its adapter.
     *
     * @return the names, ours first
     */
    public static List<String> available() {
        return springAvailable() ? List.of(FUTURES, JDK, SPRING) : List.of(FUTURES, JDK);
    }

    /**
     * Whether Spring's adapter (and Spring) are on the classpath.
     *
     * @return {@code true} with {@code -Pbench}
     */
    public static boolean springAvailable() {
        try {
            Class.forName(SPRING_POOL, false, Peers.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * A peer pool of {@code workers} threads.
     *
     * @param impl {@code jdk} or {@code spring}
     * @param workers the number of threads
     * @return the started pool
     * @throws IllegalArgumentException for any other name, or for {@code spring} without {@code -Pbench}
     */
    public static JucPool juc(String impl, int workers) {
        switch (impl) {
            case JDK:
                return new JdkPool(Executors.newFixedThreadPool(workers));
            case SPRING:
                return benchProfilePool(SPRING_POOL, impl, "Spring", workers);
            case JDK_MICROMETER:
                return benchProfilePool(MICROMETER_JDK_POOL, impl, "Micrometer", workers);
            default:
                throw new IllegalArgumentException("impl must be one of " + List.of(FUTURES, JDK, SPRING)
                        + " (a java.util.concurrent-style peer here: jdk or spring), got " + impl);
        }
    }

    /** A peer whose adapter only the bench profile compiles, by its {@code (int workers)} constructor. */
    private static JucPool benchProfilePool(String className, String impl, String library, int workers) {
        try {
            return (JucPool) Class.forName(className).getConstructor(int.class).newInstance(workers);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("impl=" + impl + " needs " + library + " on the classpath: build with"
                    + " -Pbench (./mvnw -Pbench -pl futures-core test-compile ...)", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + className, e);
        }
    }

    /**
     * Runs a call, turning a checked exception into an unchecked one (for suppliers).
     *
     * @param task the call
     * @param <T> the result type
     * @return its result
     */
    public static <T> T call(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** The JDK's fixed pool. */
    static final class JdkPool implements JucPool {
        private final ExecutorService pool;

        JdkPool(ExecutorService pool) {
            this.pool = pool;
        }

        @Override
        public <T> Future<T> submit(Callable<T> task) {
            return pool.submit(task);
        }

        @Override
        public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
            return CompletableFuture.supplyAsync(() -> call(task), pool);
        }

        @Override
        public Executor executor() {
            return pool;
        }

        @Override
        public void shutdownNow() {
            pool.shutdownNow();
            awaitTermination(pool);
        }
    }

    /**
     * Waits up to a minute for a shut-down JDK pool to end.
     *
     * @param pool the pool
     */
    public static void awaitTermination(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IllegalStateException("pool did not end within a minute: " + pool);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + pool, e);
        }
    }
}
