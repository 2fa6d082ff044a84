package io.github.futures.autoconfigure.metrics;

import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ObservableExecutor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Once every singleton exists, binds a {@link FuturesExecutorMetrics} for each executor bean (each
 * bean of type {@link ObservableExecutor}, named pools included) to the meter registry, tagged with
 * the bean name; on destruction, stops feeding their timers.
 *
 * <p>Implementation note: {@code bound} is written once, in {@link #afterSingletonsInstantiated}, and
 * read in {@link #destroy}; both run in the thread that refreshes or closes the context.
 *
 * @since 0.1.0
 */
public final class FuturesExecutorMetricsBinder implements SmartInitializingSingleton, DisposableBean {

    private static final Log logger = LogFactory.getLog(FuturesExecutorMetricsBinder.class);

    private final ConfigurableListableBeanFactory beanFactory;

    private final ObjectProvider<MeterRegistry> registry;

    private final List<FuturesExecutorMetrics> bound = new ArrayList<>();

    /**
     * A binder for the executors of {@code beanFactory}.
     *
     * @param beanFactory where the executor beans are
     * @param registry the registry to bind to
     */
    public FuturesExecutorMetricsBinder(ConfigurableListableBeanFactory beanFactory, ObjectProvider<MeterRegistry> registry) {
        this.beanFactory = beanFactory;
        this.registry = registry;
    }

    @Override
    public void afterSingletonsInstantiated() {
        MeterRegistry meterRegistry = this.registry.getObject();
        Map<String, ObservableExecutor> executors = this.beanFactory.getBeansOfType(ObservableExecutor.class, false, false);
        executors.forEach((name, executor) -> {
            FuturesExecutorMetrics metrics = new FuturesExecutorMetrics(executor, name, Tags.empty());
            try {
                metrics.bindTo(meterRegistry);
                this.bound.add(metrics);
            } catch (RuntimeException e) {
                // Not the throwable itself: its message may hold a worker's command line.
                logger.warn("Could not bind the meters of executor '" + name + "': " + this.beanFactory
                        .getBeanProvider(FuturesSanitizer.class).getIfAvailable(FuturesSanitizer::builtIn).describe(e));
            }
        });
    }

    @Override
    public void destroy() {
        this.bound.forEach(FuturesExecutorMetrics::close);
    }
}
