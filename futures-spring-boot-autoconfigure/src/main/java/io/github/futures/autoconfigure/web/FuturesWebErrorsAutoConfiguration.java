package io.github.futures.autoconfigure.web;

import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.autoconfigure.FuturesProperties;
import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ObservableExecutor;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the pools' failures as HTTP answers ({@link FuturesMvcExceptionHandler}),
 * opt-in with {@code futures.web.errors.enabled=true}, in a servlet web application with Spring MVC
 * and in a reactive one with Spring WebFlux (the advice uses spring-web's types only, so one class
 * serves both).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = FuturesAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "futures.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "futures.web.errors.enabled")
public final class FuturesWebErrorsAutoConfiguration {

    /** Bean name of the Spring MVC exception handler. */
    public static final String MVC_EXCEPTION_HANDLER_BEAN_NAME = "futuresMvcExceptionHandler";

    /** Bean name of the Spring WebFlux exception handler (the same advice: it uses spring-web's types only). */
    public static final String WEBFLUX_EXCEPTION_HANDLER_BEAN_NAME = "futuresWebFluxExceptionHandler";

    private static final String RETRY_AFTER_PROPERTY = "futures.web.errors.retry-after";

    /**
     * The one advice, for either web stack: it uses spring-web's types only. A negative Retry-After is refused
     * here rather than rounded up to one second like a short one: it is a mistake, not a wish.
     */
    private static FuturesMvcExceptionHandler handler(ListableBeanFactory beanFactory,
                                                      ObjectProvider<FuturesProperties> properties,
                                                      ObjectProvider<FuturesSanitizer> sanitizer) {
        FuturesProperties.Errors errors = properties.getIfAvailable(FuturesProperties::new).getWeb().getErrors();
        if (errors.getRetryAfter().isNegative()) {
            throw new InvalidConfigurationPropertyValueException(RETRY_AFTER_PROPERTY, errors.getRetryAfter(),
                    "Must not be negative: it is how long a client should wait before it retries, such as 5s (below a"
                            + " second is rounded up to 1s); remove the property to keep the default, 5s.");
        }
        return new FuturesMvcExceptionHandler(() -> beanFactory.getBeansOfType(ObservableExecutor.class, false, false),
                sanitizer.getIfAvailable(FuturesSanitizer::builtIn), errors.getRetryAfter());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "org.springframework.web.servlet.DispatcherServlet")
    static class MvcConfiguration {

        @Bean(name = MVC_EXCEPTION_HANDLER_BEAN_NAME)
        @ConditionalOnMissingBean
        FuturesMvcExceptionHandler futuresMvcExceptionHandler(ListableBeanFactory beanFactory,
                                                              ObjectProvider<FuturesProperties> properties,
                                                              ObjectProvider<FuturesSanitizer> sanitizer) {
            return handler(beanFactory, properties, sanitizer);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnClass(name = "org.springframework.web.reactive.DispatcherHandler")
    static class WebFluxConfiguration {

        @Bean(name = WEBFLUX_EXCEPTION_HANDLER_BEAN_NAME)
        @ConditionalOnMissingBean
        FuturesMvcExceptionHandler futuresWebFluxExceptionHandler(ListableBeanFactory beanFactory,
                                                                  ObjectProvider<FuturesProperties> properties,
                                                                  ObjectProvider<FuturesSanitizer> sanitizer) {
            return handler(beanFactory, properties, sanitizer);
        }
    }
}
