package io.github.futures;

import java.time.Duration;
import java.util.Objects;

/** Timeout arithmetic shared by futures, waits and the executors of this package. */
final class Timeouts {

    /** Timeouts of this many nanoseconds or more (about 146 years) mean "no limit". */
    static final long FOREVER_NANOS = Long.MAX_VALUE >> 1;

    private Timeouts() {
    }

    /**
     * The timeout in nanoseconds: negative becomes 0 ("do not wait"), too large saturates at
     * {@link Long#MAX_VALUE}.
     *
     * @param timeout the timeout
     * @param name the argument's name, for the exception
     * @return nanoseconds, at least 0
     * @throws NullPointerException naming the argument if {@code timeout} is null
     */
    static long toNanos(Duration timeout, String name) {
        Objects.requireNonNull(timeout, name);
        if (timeout.isNegative()) {
            return 0L;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLarge) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Like {@link #toNanos} but {@code null}, and anything of {@link #FOREVER_NANOS} or more, means no
     * limit, returned as {@code -1}.
     *
     * @param timeout the timeout or {@code null}
     * @return nanoseconds, or -1 for no limit
     */
    static long toNanosOrForever(Duration timeout) {
        if (timeout == null) {
            return -1L;
        }
        long n = toNanos(timeout, "timeout");
        return n >= FOREVER_NANOS ? -1L : n;
    }

    /**
     * A duration that must be positive (a builder's option), in nanoseconds; too large saturates.
     *
     * @throws IllegalArgumentException naming the option if {@code d} is zero or negative
     */
    static long positiveNanos(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return toNanos(d, name);
    }
}
