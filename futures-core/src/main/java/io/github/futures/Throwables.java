package io.github.futures;

/**
 * Describing a throwable that came from user code (a call, its result, their serialization), whose own
 * {@code toString()} may throw or never end. Such a description is part of handling a failure: if it
 * threw, a pool's reader or worker would take it for a fault of its own, and the future it was about
 * to fail would never end. The worker's side has the same rule ({@code process.ExceptionEnvelope}).
 */
final class Throwables {

    private Throwables() {
    }

    /**
     * {@code String.valueOf(o)} for what came from user code (a throwable, a listener), or its class name
     * when its {@code toString()} throws (a stack overflow included).
     */
    static String describe(Object o) {
        try {
            return String.valueOf(o);
        } catch (Throwable unprintable) {
            return o.getClass().getName() + " (its toString() threw " + unprintable.getClass().getName() + ")";
        }
    }

    /**
     * Logs at ERROR that user code failed with {@code t}, and never throws: printing {@code t} is user
     * code as well, and the logger lets what it throws through (errors, such as the stack overflow of a
     * message that describes itself, and anything a logging back-end throws). Then a shorter line without
     * the exception is tried, and then nothing. A log call that threw would reach the thread that runs the
     * listener or callback: a pool's worker, or a future's completion half done (its waiters never told).
     *
     * @param log the logger
     * @param text what failed, already described (see {@link #describe})
     * @param t what it threw
     */
    static void logFailure(System.Logger log, String text, Throwable t) {
        try {
            log.log(System.Logger.Level.ERROR, text, t);
        } catch (Throwable unprintable) {
            try {
                log.log(System.Logger.Level.ERROR, text + ": " + t.getClass().getName() + " (it could not be printed: "
                        + unprintable.getClass().getName() + ")");
            } catch (Throwable ignored) {
                // nothing more can be said about it
            }
        }
    }
}
