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
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link FuturesEndpoint} ({@code /actuator/futures}). The endpoint exists
 * when Actuator is on the classpath and the endpoint is available (exposed and not turned off).
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
