package io.github.futures.autoconfigure.actuate;

import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ObservableExecutor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the {@code futures} health contributor ({@link FuturesHealthIndicator}),
 * when Spring Boot's health module is on the classpath and {@code management.health.futures.enabled}
 * is not {@code false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = FuturesAutoConfiguration.class,
        beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(Health.class)
@ConditionalOnBooleanProperty(name = "futures.enabled", matchIfMissing = true)
public final class FuturesHealthContributorAutoConfiguration {

    /** Bean name of the health indicator; the contributor's name, {@code futures}, derives from it. */
    public static final String HEALTH_INDICATOR_BEAN_NAME = "futuresHealthIndicator";

    private static final String SHOW_VALUES_PROPERTY = "management.endpoint.futures.show-values";

    // The health condition sits on the method: its class is only loaded once the health module is known to be there.
    @Bean(name = HEALTH_INDICATOR_BEAN_NAME)
    @ConditionalOnMissingBean(name = HEALTH_INDICATOR_BEAN_NAME)
    @ConditionalOnEnabledHealthIndicator("futures")
    FuturesHealthIndicator futuresHealthIndicator(ListableBeanFactory beanFactory, Environment environment,
                                                  ObjectProvider<FuturesSanitizer> sanitizer) {
        return new FuturesHealthIndicator(() -> beanFactory.getBeansOfType(ObservableExecutor.class, false, false),
                sanitizer.getIfAvailable(FuturesSanitizer::builtIn), showValuesAlways(environment));
    }

    /**
     * Health details have no principal to ask: values that look secret are shown only with
     * {@code management.endpoint.futures.show-values=always}. Read as text, since the health module
     * does not bring Actuator's {@code Show}.
     */
    static boolean showValuesAlways(Environment environment) {
        return Binder.get(environment).bind(SHOW_VALUES_PROPERTY, String.class)
                .map(value -> value.strip().replace('-', '_').equalsIgnoreCase("always")).orElse(false);
    }
}
