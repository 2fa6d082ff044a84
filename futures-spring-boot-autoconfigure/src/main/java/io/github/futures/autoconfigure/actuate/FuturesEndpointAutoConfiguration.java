package io.github.futures.autoconfigure.actuate;

import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.spi.ObservableExecutor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link FuturesEndpoint} ({@code /actuator/futures}). The endpoint exists
 * when Actuator is on the classpath and the endpoint is available (exposed and not turned off).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = FuturesAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBooleanProperty(name = "futures.enabled", matchIfMissing = true)
public final class FuturesEndpointAutoConfiguration {

    // The endpoint condition sits on the method: its class is only loaded once Actuator is known to be there.
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    FuturesEndpoint futuresEndpoint(ListableBeanFactory beanFactory) {
        // Looked up on each read, so that the endpoint shows every executor bean, named pools included.
        return new FuturesEndpoint(() -> beanFactory.getBeansOfType(ObservableExecutor.class, false, false));
    }
}
