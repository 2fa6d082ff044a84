package io.github.futures.autoconfigure;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;

/**
 * Spring's {@link AsyncTaskExecutor} over a futures {@link ThreadPoolExecutor}: the bean that
 * {@code @Async} methods and Spring MVC async requests run on. It owns no threads of its own;
 * every task goes to the pool, so an application has one pool, not two.
 *
 * <p>{@link #submit(Callable)} returns the pool's {@link io.github.futures.Future}, so an
 * {@code @Async} method declared to return {@code java.util.concurrent.Future<T>} hands its caller a
 * futures {@code Future} with {@code result()}, {@code addDoneCallback} and the rest. When a
 * {@link TaskDecorator} is set, every task submitted through this adapter is decorated (for example,
 * to carry the caller's context into the worker thread). The auto-configured adapters over the starter's
 * pools have none: those pools apply the {@code TaskDecorator} beans to every call themselves, so that a
 * task is decorated once.
 *
 * <p>The adapter has no life of its own: the pool is shut down with the application context.
 *
 * @since 0.1.0
 */
public final class FuturesTaskExecutor implements AsyncTaskExecutor {

    private static final Log logger = LogFactory.getLog(FuturesTaskExecutor.class);

    private final ThreadPoolExecutor pool;

    private final TaskDecorator taskDecorator;

    /**
     * An adapter over {@code pool}.
     *
     * @param pool the pool that runs the tasks
     * @param taskDecorator decorates each task, or {@code null}
     */
    public FuturesTaskExecutor(ThreadPoolExecutor pool, TaskDecorator taskDecorator) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.taskDecorator = taskDecorator;
    }

    /**
     * The pool the tasks run on.
     *
     * @return the pool
     */
    public ThreadPoolExecutor getPool() {
        return this.pool;
    }

    /**
     * Runs the task on the pool. Nobody holds its future, so a task that throws is logged (as a JDK
     * pool's uncaught exception would be) rather than lost.
     */
    @Override
    public void execute(Runnable task) {
        this.pool.submit(decorate(task)).addDoneCallback(FuturesTaskExecutor::logFailure);
    }

    private static void logFailure(Future<Void> future) {
        if (!future.cancelled()) {
            Throwable failure = future.exception(Duration.ZERO);
            if (failure != null) {
                logger.error("Task submitted through execute() failed", failure);
            }
        }
    }

    @Override
    public Future<Void> submit(Runnable task) {
        return this.pool.submit(decorate(task));
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return this.pool.submit(this.taskDecorator == null ? task : new DecoratedCall<>(task, this.taskDecorator));
    }

    @Override
    public CompletableFuture<Void> submitCompletable(Runnable task) {
        return submit(task).toCompletableFuture();
    }

    @Override
    public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
        return submit(task).toCompletableFuture();
    }

    private Runnable decorate(Runnable task) {
        Objects.requireNonNull(task, "task");
        return this.taskDecorator == null ? task : this.taskDecorator.decorate(task);
    }

    @Override
    public String toString() {
        return "FuturesTaskExecutor[" + this.pool + "]";
    }
}
