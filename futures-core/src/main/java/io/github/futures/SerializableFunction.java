package io.github.futures;

import java.io.Serializable;

/**
 * A {@link java.util.function.Function} that is also {@link Serializable}, so that it can be sent to a worker process.
 *
 * <p>A lambda becomes serializable when its target type is this interface, for example
 * {@code (SerializableFunction) ...} as a cast, or when it is passed straight to a
 * {@link ProcessPoolExecutor} method that takes this type. Everything it captures must be serializable too.
 *
 * @param <T> the argument type
 * @param <R> the result type
 * @since 0.1.0
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends java.util.function.Function<T, R>, Serializable {
}
