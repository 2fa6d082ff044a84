package io.github.futures.spi;

/**
 * An executor that can recover from being broken: loky's "reusable executor" and CPython's advice
 * to create a new pool, without a new object that everyone holding the old one would have to learn
 * about.
 *
 * <pre>{@code
 * if (pool instanceof Rebuildable r && pool.isBroken()) {
 *     r.rebuild();
 * }
 * }</pre>
 *
 * <p>Futures failed by the breakage stay failed; calls submitted after {@code rebuild} returns run
 * on the fresh workers.
 */
public interface Rebuildable {

    /**
     * If the pool is broken, replaces its workers with fresh ones and accepts calls again.
     *
     * @return {@code true} if the pool was broken and is now rebuilt; {@code false} when it was not broken
     * @throws IllegalStateException after shutdown
     */
    boolean rebuild();
}
