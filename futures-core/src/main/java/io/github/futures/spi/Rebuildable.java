package io.github.futures.spi;

/**
 * An executor that can leave its broken state. A process pool whose worker died breaks, as CPython's
 * does, and then refuses every call; an operator (the Spring Boot starter's {@code futures}
 * endpoint, say) can rebuild it instead of restarting the application.
 */
public interface Rebuildable {

    /**
     * If the pool is broken, replaces its workers with fresh ones and accepts calls again. Calls that
     * failed when the pool broke stay failed.
     *
     * @return {@code true} if the pool was broken and now accepts calls; {@code false} when it was not broken
     * @throws IllegalStateException after shutdown
     */
    boolean rebuild();
}
