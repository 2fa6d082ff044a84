package io.github.futures.sample;

import java.util.ArrayList;
import java.util.List;

/**
 * What one request has under way, to be cancelled when the request ends early: the client went away, the
 * request timed out, or the server is stopping. {@link #cancel()} closes every registered resource (a
 * {@code map} stream, whose close cancels the calls not started yet); a resource registered after that is
 * closed at once.
 *
 * <p>Implementation note: {@code cancelled} and {@code resources} are guarded by {@code this}; the resources
 * are closed outside the lock, once each. One instance per request, so the lock is never contended by more
 * than the request's own thread and the container's callback.
 */
final class Cancellation {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private boolean cancelled;

    /**
     * Registers a resource to close on {@link #cancel()}; closes it now if that has happened already.
     *
     * @param resource what to close
     * @param <T> its type
     * @return {@code resource}
     */
    <T extends AutoCloseable> T register(T resource) {
        synchronized (this) {
            if (!cancelled) {
                resources.add(resource);
                return resource;
            }
        }
        close(resource);
        return resource;
    }

    /** Closes every registered resource; later calls do nothing. */
    void cancel() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toClose = List.copyOf(resources);
            resources.clear();
        }
        toClose.forEach(Cancellation::close);
    }

    private static void close(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // Closing a map stream only cancels futures; nothing of it can fail in a way the request cares about.
        }
    }
}
