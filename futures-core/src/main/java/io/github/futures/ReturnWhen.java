package io.github.futures;

/**
 * When {@link Futures#wait(java.util.Collection, java.time.Duration, ReturnWhen)} returns
 * (Python's {@code FIRST_COMPLETED}, {@code FIRST_EXCEPTION}, {@code ALL_COMPLETED}).
 *
 * @since 0.1.0
 */
public enum ReturnWhen {
    /** Return when any future finishes or is cancelled. */
    FIRST_COMPLETED,
    /**
     * Return when any future finishes by raising an exception. If no future raises an exception,
     * this is the same as {@link #ALL_COMPLETED}. A cancelled future is not an exception.
     */
    FIRST_EXCEPTION,
    /** Return when all futures finish or are cancelled. */
    ALL_COMPLETED
}
