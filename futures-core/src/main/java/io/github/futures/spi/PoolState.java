package io.github.futures.spi;

/**
 * The three states an executor reports, with the names that {@link ExecutorSnapshot#state()} and
 * the Spring Boot endpoint, health and metrics use. One place decides between them: a broken pool
 * is {@link #BROKEN} whether or not it was also shut down.
 */
public enum PoolState {
    /** Accepts work. */
    RUNNING(ExecutorSnapshot.RUNNING),
    /** Shut down: accepts no new work; what was accepted still ends. */
    SHUTDOWN(ExecutorSnapshot.SHUTDOWN),
    /** Broken: accepts no new work; pending calls failed. */
    BROKEN(ExecutorSnapshot.BROKEN);

    private final String value;

    PoolState(String value) {
        this.value = value;
    }

    /**
     * The state of a pool with these flags.
     *
     * @param shutdown whether shutdown was called
     * @param broken whether the pool is broken
     * @return {@link #BROKEN} if broken, else {@link #SHUTDOWN} if shut down, else {@link #RUNNING}
     */
    public static PoolState of(boolean shutdown, boolean broken) {
        return broken ? BROKEN : shutdown ? SHUTDOWN : RUNNING;
    }

    /**
     * The name shown in snapshots, the endpoint and health.
     *
     * @return {@code running}, {@code shutdown} or {@code broken}
     */
    public String value() {
        return value;
    }
}
