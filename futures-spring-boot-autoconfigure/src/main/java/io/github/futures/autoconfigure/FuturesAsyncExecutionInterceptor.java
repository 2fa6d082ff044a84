package io.github.futures.autoconfigure;

import io.github.futures.ThreadPoolExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.AnnotationAsyncExecutionInterceptor;

/**
 * Spring's {@code @Async} interceptor, except for a qualifier that names a futures
 * {@link ThreadPoolExecutor}: Spring would wrap such a pool in its plain {@code TaskExecutorAdapter},
 * which hands a {@code java.util.concurrent.Future} method's caller a JDK {@code FutureTask} and
 * applies no {@link TaskDecorator}. Here the method runs through a {@link FuturesTaskExecutor} over
 * the pool instead, exactly as an unqualified {@code @Async} method runs on the default pool: the
 * caller gets an {@link io.github.futures.Future} and the task decorators apply.
 *
 * <p>The adapter is the {@code FuturesTaskExecutor} bean over that pool when there is one (the
 * {@code <name>TaskExecutor} of a named pool, or {@code applicationTaskExecutor} for the default
 * pool); otherwise one is made with the application's task decorators, once per pool.
 *
 * <p>Spring caches the executor per method, so the lookup runs once per {@code @Async} method;
 * {@code adapters} is a concurrent map because methods are first called from any thread.
 */
final class FuturesAsyncExecutionInterceptor extends AnnotationAsyncExecutionInterceptor {

    private final Map<ThreadPoolExecutor, FuturesTaskExecutor> adapters = new ConcurrentHashMap<>();

    /** An interceptor without a default executor of its own; {@link #configure} supplies it, as Spring does. */
    FuturesAsyncExecutionInterceptor() {
        super(null);
    }

    @Override
    protected Executor findQualifiedExecutor(BeanFactory beanFactory, String qualifier) {
        Executor executor = super.findQualifiedExecutor(beanFactory, qualifier);
        if (!(executor instanceof ThreadPoolExecutor pool)) {
            return executor;
        }
        FuturesTaskExecutor adapter = this.adapters.get(pool);
        if (adapter == null) {
            // Not computeIfAbsent: the lookup creates beans, and must not run inside the map's lock.
            FuturesTaskExecutor found = adapterFor(beanFactory, pool, qualifier);
            adapter = this.adapters.putIfAbsent(pool, found);
            if (adapter == null) {
                adapter = found;
            }
        }
        return adapter;
    }

    private static FuturesTaskExecutor adapterFor(BeanFactory beanFactory, ThreadPoolExecutor pool, String qualifier) {
        if (beanFactory instanceof ListableBeanFactory listable) {
            String conventional = qualifier + FuturesExecutorConfigurations.TASK_EXECUTOR_SUFFIX;
            List<String> names = new ArrayList<>(List.of(listable.getBeanNamesForType(FuturesTaskExecutor.class,
                    false, false)));
            if (names.remove(conventional)) {
                names.add(0, conventional); // the likely one first: no other adapter need be created
            }
            for (String name : names) {
                FuturesTaskExecutor candidate = listable.getBean(name, FuturesTaskExecutor.class);
                if (candidate.getPool() == pool) {
                    return candidate;
                }
            }
        }
        return new FuturesTaskExecutor(pool,
                FuturesExecutorConfigurations.taskDecorator(beanFactory.getBeanProvider(TaskDecorator.class)));
    }
}
