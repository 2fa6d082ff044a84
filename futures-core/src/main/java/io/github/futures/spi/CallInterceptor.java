package io.github.futures.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * Sees every call a pool accepts, on the submitting thread, and may give it a {@link CallScope}:
 * how context (MDC, trace, security) and observations travel with calls. Set on a pool's builder
 * ({@code callInterceptor}); the Spring Boot starter sets one that captures Micrometer's context
 * snapshot, applies {@code TaskDecorator} beans and opens an {@code Observation} per call.
 *
 * <p>{@link #intercept} runs on the submitting thread inside {@code submit} (and for every call of a
 * {@code map}), before the call is queued; it must be quick and must not block. If it throws, the
 * submit throws that exception and the call is not accepted: nothing already accepted is affected.
 * A pool without an interceptor pays nothing for this feature.
 */
@FunctionalInterface
public interface CallInterceptor {

    /**
     * Gives a call its scope.
     *
     * @param call what is submitted: the pool's name and kind
     * @return the call's scope, or {@link CallScope#NONE} to leave the call as it is
     */
    CallScope intercept(CallInfo call);

    /**
     * One interceptor that asks each of {@code interceptors} in order; the scopes wrap the call in the
     * same order (the first one outermost), and each is told of the start and the end.
     *
     * @param interceptors the interceptors, none {@code null}
     * @return the combined interceptor, or {@code null} when the list is empty
     */
    static CallInterceptor compose(List<? extends CallInterceptor> interceptors) {
        List<CallInterceptor> all = List.copyOf(interceptors);
        if (all.isEmpty()) {
            return null;
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        return call -> {
            List<CallScope> scopes = new ArrayList<>(all.size());
            for (CallInterceptor i : all) {
                CallScope s = i.intercept(call);
                if (s != null && s != CallScope.NONE) {
                    scopes.add(s);
                }
            }
            return CallScope.all(scopes);
        };
    }

    /**
     * What is submitted.
     *
     * @param pool the pool's name (its thread name prefix, or the bean name in a Spring context)
     * @param kind {@code "thread"}, {@code "process"} or {@code "cluster"}
     */
    record CallInfo(String pool, String kind) {
    }
}
