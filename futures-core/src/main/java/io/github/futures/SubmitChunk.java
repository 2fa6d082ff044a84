package io.github.futures;

import io.github.futures.spi.CallInterceptor;
import java.util.List;
import java.util.function.Function;

/** Submits one chunk of a map (a class, not a lambda: no lambda class to spin at a cold JVM's first map). */
final class SubmitChunk<T, R> implements Function<List<T>, Future<List<R>>> {
    private final ProcessPool pool;
    private final Function<?, ?> fn;
    private final CallInterceptor interceptor;
    private final CallInterceptor.CallInfo info;

    SubmitChunk(ProcessPool pool, Function<?, ?> fn, CallInterceptor interceptor, CallInterceptor.CallInfo info) {
        this.pool = pool;
        this.fn = fn;
        this.interceptor = interceptor;
        this.info = info;
    }

    @Override
    public Future<List<R>> apply(List<T> chunk) {
        if (interceptor == null) {
            return pool.submitMap(fn, chunk, null);
        }
        ScopedCall sc = ScopedCall.intercept(interceptor, info);
        try {
            return pool.submitMap(fn, chunk, sc);
        } catch (RuntimeException | Error refused) {
            sc.ended(refused, false);
            throw refused;
        }
    }
}
