package io.github.futures.autoconfigure;

import java.util.concurrent.Callable;
import org.springframework.core.task.TaskDecorator;

/**
 * A call run inside a {@link TaskDecorator}'s {@link Runnable}: the decorator is applied when the call is
 * made (on the submitting thread, where decorators capture context), and {@link #call()} runs the
 * decorated runnable, which runs the call and keeps its result or exception. An {@link Error} passes
 * through the runnable unchanged; a checked exception is kept and rethrown as itself.
 *
 * <p>Implementation note: {@link #result} and {@link #failure} are written and read by the thread that
 * runs {@link #call()}, inside it: they need no synchronisation. A decorator that does not run the task
 * (it may decide not to) leaves the call's result {@code null}.
 *
 * @param <T> the result type
 */
final class DecoratedCall<T> implements Callable<T> {

    private final Runnable decorated;

    private T result;

    private Exception failure;

    DecoratedCall(Callable<T> task, TaskDecorator decorator) {
        this.decorated = decorator.decorate(() -> {
            try {
                this.result = task.call();
            } catch (Exception e) {
                this.failure = e;
            }
        });
    }

    @Override
    public T call() throws Exception {
        this.result = null;
        this.failure = null;
        this.decorated.run();
        if (this.failure != null) {
            throw this.failure;
        }
        return this.result;
    }
}
