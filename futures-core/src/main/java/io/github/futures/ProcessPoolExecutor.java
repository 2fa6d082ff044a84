package io.github.futures;

import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.TaskStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An {@link Executor} that runs calls in a pool of worker JVMs: Python's
 * {@code concurrent.futures.ProcessPoolExecutor}.
 *
 * <p>WORK IN PROGRESS: the public shape is fixed; the implementation lands with the process-pool work.
 *
 * @since 0.1.0
 */
public final class ProcessPoolExecutor implements Executor, ObservableExecutor {

    private final int maxWorkers;

    /** A pool of {@code availableProcessors()} worker processes. */
    public ProcessPoolExecutor() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A pool of at most {@code maxWorkers} worker processes.
     *
     * @param maxWorkers at least 1
     */
    public ProcessPoolExecutor(int maxWorkers) {
        if (maxWorkers <= 0) {
            throw new IllegalArgumentException("maxWorkers must be greater than 0, got " + maxWorkers);
        }
        this.maxWorkers = maxWorkers;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the maximum number of worker processes */
    public int maxWorkers() {
        return maxWorkers;
    }

    public <T> Future<T> submit(SerializableCallable<T> fn) {
        throw new UnsupportedOperationException("not yet");
    }

    public Future<Void> submit(SerializableRunnable fn) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public Future<Void> submit(Runnable fn) {
        throw new UnsupportedOperationException("not yet");
    }

    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        throw new UnsupportedOperationException("not yet");
    }

    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        throw new UnsupportedOperationException("not yet");
    }

    public <A, B, R> Stream<R> map(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                   Iterable<? extends A> a, Iterable<? extends B> b) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Stops every worker now (SIGTERM-like); pending futures fail. */
    public void terminateWorkers() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Kills every worker now (SIGKILL-like); pending futures fail. */
    public void killWorkers() {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Waits until every worker has ended after shutdown.
     *
     * @param timeout the limit
     * @return whether all ended in time
     */
    public boolean awaitTermination(Duration timeout) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public String kind() {
        return "process";
    }

    @Override
    public ExecutorSnapshot snapshot() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public TaskStats taskStats() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Builds a {@link ProcessPoolExecutor}. */
    public static final class Builder {
        private int maxWorkers = Runtime.getRuntime().availableProcessors();
        private SerializableRunnable initializer;
        private int maxTasksPerChild;
        private List<String> jvmArgs = List.of();
        private String javaExecutable;
        private Map<String, String> environment = Map.of();

        private Builder() {
        }

        public Builder maxWorkers(int maxWorkers) {
            this.maxWorkers = maxWorkers;
            return this;
        }

        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = initializer;
            return this;
        }

        public Builder maxTasksPerChild(int maxTasksPerChild) {
            this.maxTasksPerChild = maxTasksPerChild;
            return this;
        }

        public Builder jvmArgs(String... jvmArgs) {
            this.jvmArgs = List.of(jvmArgs);
            return this;
        }

        /** The java executable that starts workers (Python's mp_context); default: this JVM's. */
        public Builder javaExecutable(String javaExecutable) {
            this.javaExecutable = javaExecutable;
            return this;
        }

        /** Extra environment variables for workers. */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(environment);
            return this;
        }

        public ProcessPoolExecutor build() {
            return new ProcessPoolExecutor(maxWorkers);
        }
    }
}
