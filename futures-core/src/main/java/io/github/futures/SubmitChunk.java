package io.github.futures;

import io.github.futures.spi.CallInterceptor;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Submits one chunk of a map (a class, not a lambda: no lambda class to spin at a cold JVM's first map);
 * and the process pool's submit and map through its call interceptor, if it has one.
 */
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
        return ScopedCall.submit(interceptor, info, sc -> pool.submitMap(fn, chunk, sc)); // sc: the done callback
    }

    /** A submit: with an interceptor, the call's scope is asked for here and ended if the submit is refused. */
    static <T> Future<T> submit(ProcessPool pool, Callable<T> fn, CallInterceptor ic, CallInterceptor.CallInfo info) {
        if (ic == null) {
            return pool.submit(fn, null);
        }
        return ScopedCall.submit(ic, info, sc -> pool.submit(fn, sc)); // sc: the done callback
    }

    /** A map: with an interceptor, the map's own scope and one per chunk (see {@link ScopedCall#forMap}). */
    static <T, R> Stream<R> map(ProcessPool pool, Function<? super T, ? extends R> fn, Iterable<? extends T> items,
                                MapOptions options, CallInterceptor ic, CallInterceptor.CallInfo info) {
        if (ic == null) {
            return MapSupport.<T, R>mapChunked(items, options, new SubmitChunk<T, R>(pool, fn, null, null));
        }
        ScopedCall mapScope = ScopedCall.forMap(ic, info);
        return mapScope.endingOnClose(MapSupport.<T, R>mapChunked(mapScope.endingWhenExhausted(items), options,
                mapScope.submitting(new SubmitChunk<T, R>(pool, fn, ic, info))));
    }
}
