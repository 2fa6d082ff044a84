package io.github.futures.autoconfigure;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallInterceptor.CallInfo;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The {@link CallInterceptor} beans of the context, in their order, as one interceptor per pool: what the
 * starter sets on every pool it builds (the default pools, the named ones, the cluster pool). The starter's
 * own interceptors come first: the context propagation ({@code futures.propagate-context}), then the
 * observation ({@code futures.observations.enabled}), then the {@code TaskDecorator} beans; an
 * application's {@code CallInterceptor} beans follow in their order, innermost.
 *
 * <p>Each call is reported under the pool's bean name, whatever name the pool gives itself.
 *
 * <p>Implementation note: {@link #decorated} is an identity set guarded by its own lock; it is written once
 * per pool while the context starts and read when the {@code @Async} adapter is made.
 *
 * @since 0.1.0
 */
public final class FuturesCallInterceptors {

    /** Order of the context propagation interceptor: first, so the others run in the submitter's context. */
    public static final int CONTEXT_ORDER = Integer.MIN_VALUE + 100;

    /** Order of the observation interceptor: inside the restored context, so it is the submitter's child. */
    public static final int OBSERVATION_ORDER = CONTEXT_ORDER + 100;

    /** Order of the task decorators: inside the call's observation. */
    public static final int TASK_DECORATOR_ORDER = OBSERVATION_ORDER + 100;

    private final CallInterceptor composed;

    private final Set<Object> decorated = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    /**
     * The interceptors in order.
     *
     * @param interceptors the interceptors, outermost first
     */
    public FuturesCallInterceptors(List<? extends CallInterceptor> interceptors) {
        this.composed = CallInterceptor.compose(interceptors);
    }

    /**
     * The interceptor of the pool named {@code poolName}.
     *
     * @param poolName the pool's bean name
     * @return the interceptor, or {@code null} when there is nothing to do (the pool then pays nothing)
     */
    public CallInterceptor forPool(String poolName) {
        CallInterceptor all = this.composed;
        return all == null ? null : call -> all.intercept(new CallInfo(poolName, call.kind()));
    }

    /**
     * Notes that {@code pool} was built with {@link #forPool}: its calls are decorated by the task decorators
     * already, so Spring's {@code @Async} adapter over it must not decorate them again.
     *
     * @param pool the pool
     * @param <P> its type
     * @return {@code pool}
     */
    <P> P built(P pool) {
        this.decorated.add(pool);
        return pool;
    }

    /** Whether {@code pool}'s calls pass through these interceptors (and so through the task decorators). */
    boolean intercepts(Object pool) {
        return this.decorated.contains(pool);
    }
}
