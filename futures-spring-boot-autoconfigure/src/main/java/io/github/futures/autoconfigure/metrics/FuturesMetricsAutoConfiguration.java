package io.github.futures.autoconfigure.metrics;

import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Micrometer meters for every futures executor bean (the default pools, the
 * named pools and the application's own): see {@link FuturesExecutorMetrics} for the meters. Applies
 * when Micrometer is on the classpath and a {@link MeterRegistry} bean exists, unless
 * {@code futures.metrics.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = FuturesAutoConfiguration.class,
        afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = { "futures.enabled", "futures.metrics.enabled" }, matchIfMissing = true)
public final class FuturesMetricsAutoConfiguration {

    /** Bean name of the binder that binds every executor's meters. */
    public static final String METRICS_BINDER_BEAN_NAME = "futuresExecutorMetricsBinder";

    @Bean(name = METRICS_BINDER_BEAN_NAME)
    @ConditionalOnMissingBean
    FuturesExecutorMetricsBinder futuresExecutorMetricsBinder(ConfigurableListableBeanFactory beanFactory,
                                                              ObjectProvider<MeterRegistry> registry) {
        return new FuturesExecutorMetricsBinder(beanFactory, registry);
    }

    @Bean
    static LazyInitializationExcludeFilter futuresExecutorMetricsEagerInitialization() {
        return LazyInitializationExcludeFilter.forBeanTypes(FuturesExecutorMetricsBinder.class);
    }
}
