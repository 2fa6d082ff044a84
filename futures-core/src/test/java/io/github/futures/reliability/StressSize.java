package io.github.futures.reliability;

import java.time.Duration;

/**
 * Sizes of the stress tests, taken from system properties so that the normal build runs them small
 * and one command runs them at full size (see RELIABILITY.md):
 *
 * <pre>{@code
 * ./mvnw -pl futures-core verify -Dtest='ThreadPoolStressTest,MapBufferStressTest' \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dstress.tasks=1000000
 * }</pre>
 */
final class StressSize {

    /** Tasks (and map elements) of the thread-pool stress in the normal build. */
    static final int DEFAULT_TASKS = 50_000;

    private StressSize() {
    }

    /** Number of tasks for the thread-pool stress: {@code -Dstress.tasks=N}, default 50 000. */
    static int tasks() {
        int n = Integer.getInteger("stress.tasks", DEFAULT_TASKS);
        if (n < 1_000) {
            throw new IllegalArgumentException("stress.tasks must be at least 1000, got " + n);
        }
        return n;
    }

    /**
     * How long one phase of a stress run may take before the test fails as hung: a minute, plus a
     * second per 10 000 tasks. Far above what a healthy run needs (see RELIABILITY.md for times).
     */
    static Duration budget(int tasks) {
        return Duration.ofSeconds(60 + tasks / 10_000);
    }
}
