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

    /** {@code t.toString()}, or its class name when that throws (a stack overflow included). */
    static String describe(Throwable t) {
        try {
            return t.toString();
        } catch (Throwable unprintable) {
            return t.getClass().getName() + " (its toString() threw " + unprintable.getClass().getName() + ")";
        }
    }
}
