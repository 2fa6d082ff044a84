package io.github.futures.spi;

/**
 * Tells whether one of an executor's own threads is inside {@code System.exit} / {@code Runtime.exit}
 * (a call or a done callback that exits the JVM): that thread waits for the JVM's shutdown hooks, so an
 * exit hook that waited for the executor to end would wait for ever.
 *
 * <pre>{@code
 * if (!ExitingThreads.anyCallsExit(pool.threads())) {
 *     pool.awaitTermination(null);
 * }
 * }</pre>
 *
 * Internal to the project's executors.
 */
public final class ExitingThreads {

    private ExitingThreads() {
    }

    /**
     * Whether one of {@code threads} is inside {@code System.exit} / {@code Runtime.exit}.
     *
     * @param threads an executor's threads
     * @return whether one of them is exiting the JVM
     */
    public static boolean anyCallsExit(Iterable<Thread> threads) {
        for (Thread t : threads) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().equals("java.lang.Shutdown")
                        || (e.getClassName().equals("java.lang.Runtime") && e.getMethodName().equals("exit"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
