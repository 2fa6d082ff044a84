package io.github.futures.autoconfigure;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import java.util.List;
import java.util.concurrent.Callable;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * Applies the application's {@link TaskDecorator} beans to every call of a thread pool, not only to
 * {@code @Async} methods: each call is made a {@link Runnable} for the decorators and back (its result and
 * exception kept, see {@link DecoratedCall}). The decorators compose as Spring's own executors compose
 * them ({@link CompositeTaskDecorator}, in bean order). Calls that run in another JVM are left alone: a
 * {@code Runnable} cannot cross the process boundary.
 */
final class FuturesTaskDecorators implements CallInterceptor {

    private final TaskDecorator decorator;

    /**
     * @param decorators the decorators in bean order
     */
    FuturesTaskDecorators(List<TaskDecorator> decorators) {
        this.decorator = decorators.isEmpty() ? null
                : decorators.size() == 1 ? decorators.get(0) : new CompositeTaskDecorator(decorators);
    }

    @Override
    public CallScope intercept(CallInfo call) {
        TaskDecorator d = this.decorator;
        if (d == null) {
            return CallScope.NONE;
        }
        return new CallScope() {
            @Override
            public <T> Callable<T> wrap(Callable<T> task) {
                return new DecoratedCall<>(task, d);
            }
        };
    }
}
