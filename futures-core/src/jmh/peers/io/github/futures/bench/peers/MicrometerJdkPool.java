package io.github.futures.bench.peers;

import io.github.futures.bench.JucPool;
import io.github.futures.bench.Peers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;

/**
 * The JDK's fixed pool metered the way Micrometer meters any {@link ExecutorService}:
 * {@link ExecutorServiceMetrics#monitor(MeterRegistry, ExecutorService, String, Iterable)} wraps it so
 * that every call records an {@code executor.idle} (queue wait) and an {@code executor} (execution)
 * timer, into a {@link SimpleMeterRegistry}. The peer of our pool with its Micrometer listener.
 * Compiled only with the {@code bench} profile; created by name from the metrics benchmark.
 */
public final class MicrometerJdkPool implements JucPool, LongSupplier {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final ExecutorService raw;
    private final ExecutorService monitored;

    /**
     * Starts a fixed pool of {@code workers} threads and meters it.
     *
     * @param workers the number of threads
     */
    public MicrometerJdkPool(int workers) {
        raw = Executors.newFixedThreadPool(workers);
        monitored = ExecutorServiceMetrics.monitor(registry, raw, "bench", java.util.List.of());
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return monitored.submit(task);
    }

    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        return CompletableFuture.supplyAsync(() -> Peers.call(task), monitored);
    }

    @Override
    public Executor executor() {
        return monitored;
    }

    @Override
    public void shutdownNow() {
        monitored.shutdownNow();
        Peers.awaitTermination(raw);
    }

    /** @return the calls whose execution was timed */
    @Override
    public long getAsLong() {
        return registry.get("executor").timer().count();
    }
}
