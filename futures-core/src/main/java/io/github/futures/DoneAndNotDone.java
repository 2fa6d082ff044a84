package io.github.futures;

import java.util.Set;

/**
 * The two sets that {@link Futures#wait} returns (Python's {@code DoneAndNotDoneFutures} named tuple).
 * Both sets keep the order in which the futures were given and cannot be modified.
 *
 * @param done the futures that were done (finished or cancelled) when {@code wait} returned
 * @param notDone the futures that were not done
 * @param <F> the type of future
 * @since 0.1.0
 */
public record DoneAndNotDone<F>(Set<F> done, Set<F> notDone) {
}
