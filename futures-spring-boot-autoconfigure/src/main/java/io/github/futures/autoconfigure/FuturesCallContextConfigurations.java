package io.github.futures.autoconfigure;

import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.ClassUtils;

/**
 * What travels with each call of the pools the starter builds: the {@link FuturesCallInterceptors} that every
 * pool is given, and the starter's own {@link CallInterceptor} beans it composes (context propagation,
 * observations, task decorators). Each optional library is reached only from a configuration guarded by its
 * class.
 */
final class FuturesCallContextConfigurations {

    private static final boolean TRACING_PRESENT = ClassUtils.isPresent("io.micrometer.tracing.Tracer",
            FuturesCallContextConfigurations.class.getClassLoader());

    private FuturesCallContextConfigurations() {
    }

    @Configuration(proxyBeanMethods = false)
    static class InterceptorsConfiguration {

        @Bean(name = FuturesAutoConfiguration.CALL_INTERCEPTORS_BEAN_NAME)
        @ConditionalOnMissingBean
        FuturesCallInterceptors futuresCallInterceptors(ObjectProvider<CallInterceptor> interceptors) {
            return new FuturesCallInterceptors(interceptors.orderedStream().toList());
        }

        /** Every {@code TaskDecorator} bean, on every call of the thread pools (and so of {@code @Async}). */
        @Bean
        OrderedInterceptor futuresTaskDecoratorCallInterceptor(ObjectProvider<TaskDecorator> taskDecorators) {
            return new OrderedInterceptor(new FuturesTaskDecorators(taskDecorators.orderedStream().toList()),
                    FuturesCallInterceptors.TASK_DECORATOR_ORDER);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ContextSnapshotFactory.class)
    @ConditionalOnBooleanProperty(name = "futures.propagate-context", matchIfMissing = true)
    static class ContextPropagationConfiguration {

        @Bean
        OrderedInterceptor futuresContextCallInterceptor(BeanFactory beanFactory) {
            FuturesTraceparents traceparents = TRACING_PRESENT ? FuturesTraceparents.from(beanFactory) : null;
            return new OrderedInterceptor(new FuturesContextPropagation(ContextSnapshotFactory.builder().build(),
                    traceparents), FuturesCallInterceptors.CONTEXT_ORDER);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Observation.class)
    @ConditionalOnBooleanProperty(name = "futures.observations.enabled")
    static class ObservationConfiguration {

        @Bean
        OrderedInterceptor futuresObservationCallInterceptor(ObjectProvider<ObservationRegistry> registry) {
            return new OrderedInterceptor(new FuturesCallObservations(registry.getIfUnique(() -> ObservationRegistry.NOOP),
                    TRACING_PRESENT ? FuturesTraceparents.observationSpan() : null), FuturesCallInterceptors.OBSERVATION_ORDER);
        }
    }

    /** One of the starter's interceptors, with its place among the application's. */
    static final class OrderedInterceptor implements CallInterceptor, Ordered {

        private final CallInterceptor delegate;

        private final int order;

        OrderedInterceptor(CallInterceptor delegate, int order) {
            this.delegate = delegate;
            this.order = order;
        }

        @Override
        public CallScope intercept(CallInfo call) {
            return this.delegate.intercept(call);
        }

        @Override
        public int getOrder() {
            return this.order;
        }
    }
}
