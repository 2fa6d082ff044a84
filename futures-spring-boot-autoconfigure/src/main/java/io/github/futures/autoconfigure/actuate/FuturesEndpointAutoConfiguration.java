package io.github.futures.autoconfigure.actuate;

import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ObservableExecutor;
import java.util.Objects;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the {@link FuturesEndpoint} ({@code /actuator/futures}) and the
 * {@link FuturesEventsEndpoint} ({@code /actuator/futuresevents}). Each exists when Actuator is on
 * the classpath and the endpoint is available (exposed and not turned off).
 * With Actuator, the application's {@code SanitizingFunction} beans also become a rule of the
 * {@link FuturesSanitizer}, whether the endpoint is exposed or not.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = FuturesAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBooleanProperty(name = "futures.enabled", matchIfMissing = true)
@EnableConfigurationProperties(FuturesEndpointProperties.class)
public final class FuturesEndpointAutoConfiguration {

    /** Bean name of the {@link FuturesEventLog} behind the {@code futuresevents} endpoint. */
    public static final String EVENT_LOG_BEAN_NAME = "futuresEventLog";

    private static final String CAPACITY_PROPERTY = "futures.events.capacity";

    private static final int DEFAULT_CAPACITY = 256;

    // The endpoint condition sits on the method: its class is only loaded once Actuator is known to be there.
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    FuturesEndpoint futuresEndpoint(ListableBeanFactory beanFactory, FuturesEndpointProperties properties,
                                    ObjectProvider<FuturesSanitizer> sanitizer) {
        // Looked up on each read, so that the endpoint shows every executor bean, named pools included.
        return new FuturesEndpoint(() -> beanFactory.getBeansOfType(ObservableExecutor.class, false, false),
                sanitizer.getIfAvailable(FuturesSanitizer::builtIn), properties.getShowValues(), properties.getRoles());
    }

    /**
     * The events of every executor bean, kept for the {@code futuresevents} endpoint. Exists with the
     * endpoint only: without it, nobody reads them.
     */
    @Bean(name = EVENT_LOG_BEAN_NAME)
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint(FuturesEventsEndpoint.class)
    static FuturesEventLog futuresEventLog(Environment environment) {
        int capacity = Binder.get(environment).bind(CAPACITY_PROPERTY, Integer.class).orElse(DEFAULT_CAPACITY);
        if (capacity < 1) {
            throw new InvalidConfigurationPropertyValueException(CAPACITY_PROPERTY, capacity,
                    "Must be at least 1; remove the property to keep the default, " + DEFAULT_CAPACITY + " events.");
        }
        return new FuturesEventLog(capacity);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    FuturesEventsEndpoint futuresEventsEndpoint(FuturesEventLog log, FuturesEndpointProperties properties,
                                                ObjectProvider<FuturesSanitizer> sanitizer) {
        return new FuturesEventsEndpoint(log, sanitizer.getIfAvailable(FuturesSanitizer::builtIn),
                properties.getShowValues(), properties.getRoles());
    }

    /**
     * The application's {@link SanitizingFunction} beans, in order, as one rule of the starter's
     * {@link FuturesSanitizer}: they apply to the endpoint, the health details and the log lines.
     */
    @Bean
    FuturesSanitizer.Rule futuresSanitizingFunctions(ObjectProvider<SanitizingFunction> functions) {
        return (key, value) -> {
            SanitizableData data = new SanitizableData(null, key, value);
            for (SanitizingFunction function : functions.orderedStream().toList()) {
                Object out = function.applyUnlessFiltered(data).getValue();
                if (!Objects.equals(out, value)) {
                    return out;
                }
            }
            return value;
        };
    }
}
