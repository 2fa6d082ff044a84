package io.github.futures.spi;

/**
 * Told about each {@link PoolEvent} of one executor. Called on the pool's own threads, possibly while
 * the pool holds internal locks: implementations must be quick, must not block and must not call back
 * into the executor. An exception thrown here is logged and otherwise ignored.
 */
@FunctionalInterface
public interface PoolEventListener {

    /**
     * One event happened.
     *
     * @param event the event
     */
    void onEvent(PoolEvent event);
}
