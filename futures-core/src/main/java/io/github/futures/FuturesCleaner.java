package io.github.futures;

import java.lang.ref.Cleaner;

/**
 * The library's one {@link Cleaner}: a single daemon thread, started on first use, that shuts down
 * thread pools dropped without shutdown and removes the waiters of abandoned {@code asCompleted}
 * iterations. Cleaning actions are short and never block.
 */
final class FuturesCleaner {

    static final Cleaner CLEANER = Cleaner.create(r -> new Thread(r, "futures-cleaner"));

    private FuturesCleaner() {
    }
}
