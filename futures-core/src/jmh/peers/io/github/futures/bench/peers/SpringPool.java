package io.github.futures.bench.peers;

import io.github.futures.bench.JucPool;
import io.github.futures.bench.Peers;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Spring's {@link ThreadPoolTaskExecutor} as a benchmark peer: core = max = {@code workers}, the
 * default (unbounded) queue, so it behaves as the JDK's fixed pool plus Spring's own layer.
 * Compiled only with the {@code bench} profile; created by name from {@link Peers}.
 */
public final class SpringPool implements JucPool {

    private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();

    /**
     * Starts a pool of {@code workers} threads.
     *
     * @param workers the core and maximum pool size
     */
    public SpringPool(int workers) {
        executor.setCorePoolSize(workers);
        executor.setMaxPoolSize(workers);
        executor.setThreadNamePrefix("spring-bench-");
        executor.initialize();
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return executor.submit(task);
    }

    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        return executor.submitCompletable(task);
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public void shutdownNow() {
        java.util.concurrent.ThreadPoolExecutor pool = executor.getThreadPoolExecutor();
        pool.shutdownNow();
        Peers.awaitTermination(pool);
        executor.shutdown();
    }
}
