package io.github.futures.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What travels with one call, given by a {@link CallInterceptor} on the submitting thread.
 *
 * <p>The pool calls, in this order and each at most once:
 * <ol>
 * <li>{@link #wrap} on the submitting thread, for a call that runs in this JVM (thread pools); the
 *     returned call is what the worker runs, so it restores context around the call there;</li>
 * <li>{@link #remoteContext} on the submitting thread, for a call that runs in another JVM (a process
 *     worker or a cluster member): string entries (MDC entries, the W3C {@code traceparent}) sent with
 *     the call and restored around it there;</li>
 * <li>{@link #started} when the call starts (on the pool's thread; for a process pool, when the
 *     call is handed to its worker);</li>
 * <li>{@link #ended} once the call's future ends, in whatever way: a result, an exception, a
 *     cancellation before or while running, a broken pool. Never skipped for an accepted call.</li>
 * </ol>
 * If the submit is refused after {@link CallInterceptor#intercept} (a full pending limit, a shutdown
 * racing the submit), {@link #ended} is called with the refusal and {@code started} never is.
 * Methods must not block; anything {@code started} or {@code ended} throws, errors included, is ignored
 * (it cannot be allowed to strand the call).
 */
public interface CallScope {

    /** No scope: the call runs as it is. */
    CallScope NONE = new CallScope() {
    };

    /** Key of the W3C trace context entry in {@link #remoteContext()}. */
    String TRACEPARENT = "traceparent";

    /**
     * Wraps a call that runs in this JVM.
     *
     * @param call the call
     * @param <T> its result type
     * @return the call to run instead (by default {@code call})
     */
    default <T> Callable<T> wrap(Callable<T> call) {
        return call;
    }

    /**
     * Context entries sent with a call that runs in another JVM; restored there as MDC entries around
     * the call (and {@value #TRACEPARENT} also as {@code traceId}/{@code spanId}).
     *
     * @return the entries (by default none); keys and values not {@code null}
     */
    default Map<String, String> remoteContext() {
        return Map.of();
    }

    /** The call started. */
    default void started() {
    }

    /**
     * The call's future ended.
     *
     * @param failure the exception it ended with ({@code null} for a result or a cancellation)
     * @param cancelled whether it ended cancelled
     */
    default void ended(Throwable failure, boolean cancelled) {
    }

    /**
     * One scope made of {@code scopes}: wraps in order (the first outermost), merges the remote
     * entries (a later scope's entry wins), tells each of the start and the end.
     *
     * @param scopes the scopes
     * @return the combined scope
     */
    static CallScope all(List<CallScope> scopes) {
        if (scopes.isEmpty()) {
            return NONE;
        }
        if (scopes.size() == 1) {
            return scopes.get(0);
        }
        List<CallScope> list = List.copyOf(scopes);
        return new CallScope() {
            @Override
            public <T> Callable<T> wrap(Callable<T> call) {
                Callable<T> c = call;
                for (int i = list.size() - 1; i >= 0; i--) {
                    c = list.get(i).wrap(c);
                }
                return c;
            }

            @Override
            public Map<String, String> remoteContext() {
                Map<String, String> m = new LinkedHashMap<>();
                for (CallScope s : list) {
                    m.putAll(s.remoteContext());
                }
                return m;
            }

            @Override
            public void started() {
                for (CallScope s : list) {
                    try {
                        s.started();
                    } catch (Throwable e) {
                        // ignored, as documented (errors too): one scope cannot keep the others from being told
                    }
                }
            }

            @Override
            public void ended(Throwable failure, boolean cancelled) {
                for (CallScope s : list) {
                    try {
                        s.ended(failure, cancelled);
                    } catch (Throwable e) {
                        // ignored, as documented (errors too)
                    }
                }
            }
        };
    }
}
