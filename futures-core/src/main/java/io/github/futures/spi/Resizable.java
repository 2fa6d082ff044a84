package io.github.futures.spi;

/**
 * A pool whose maximum number of workers can change while it runs, as
 * {@link java.util.concurrent.ThreadPoolExecutor#setMaximumPoolSize} for the JDK's pool. Implemented
 * by the thread, process and cluster pools.
 *
 * <pre>{@code
 * if (pool instanceof Resizable r) {
 *     r.setMaxWorkers(r.maxWorkers() * 2);
 * }
 * }</pre>
 */
public interface Resizable {

    /**
     * The maximum number of workers now.
     *
     * @return at least 1
     */
    int maxWorkers();

    /**
     * Sets the maximum number of workers. Growing starts workers on demand (as calls wait for one),
     * not at once; shrinking ends idle workers above the new limit now and busy ones after their
     * call, so that once those calls end no more than {@code maxWorkers} run at once. No accepted
     * call is lost either way; snapshots and the configuration report the new value at once.
     *
     * @param maxWorkers the new maximum, at least 1
     * @throws IllegalArgumentException if {@code maxWorkers < 1}, or below the pool's {@code minWorkers}
     * @throws IllegalStateException after shutdown
     */
    void setMaxWorkers(int maxWorkers);
}
