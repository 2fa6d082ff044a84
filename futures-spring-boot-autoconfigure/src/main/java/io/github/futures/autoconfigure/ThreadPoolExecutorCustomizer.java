package io.github.futures.autoconfigure;

import io.github.futures.ThreadPoolExecutor;

/**
 * Adjusts the builder of each auto-configured {@link ThreadPoolExecutor} (the default
 * {@code futuresThreadPool} and every named thread pool) after the properties were applied and
 * before the pool is built. Customizer beans run in their {@link org.springframework.core.Ordered
 * order}.
 *
 * <pre>{@code
 * @Bean
 * ThreadPoolExecutorCustomizer mdcInitializer() {
 *     return builder -> builder.initializer(() -> MDC.put("pool", "futures"));
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ThreadPoolExecutorCustomizer {

    /**
     * Customizes the builder.
     *
     * @param builder the builder, with the properties already applied
     */
    void customize(ThreadPoolExecutor.Builder builder);
}
