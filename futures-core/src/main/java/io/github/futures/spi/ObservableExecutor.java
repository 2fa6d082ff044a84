package io.github.futures.spi;

/**
 * An executor that reports its state and counts; every executor of this project implements it, and
 * the Spring Boot metrics, endpoint and health read it.
 */
public interface ObservableExecutor {

    /**
     * The kind of pool.
     *
     * @return {@code thread}, {@code process} or {@code cluster}
     */
    String kind();

    /**
     * The executor's state now.
     *
     * @return a snapshot
     */
    ExecutorSnapshot snapshot();

    /**
     * The counters and listeners of this executor.
     *
     * @return its task statistics
     */
    TaskStats taskStats();
}
