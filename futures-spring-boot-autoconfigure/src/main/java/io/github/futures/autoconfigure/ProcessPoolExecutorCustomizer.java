package io.github.futures.autoconfigure;

import io.github.futures.ProcessPoolExecutor;

/**
 * Adjusts the builder of each auto-configured {@link ProcessPoolExecutor} (the default
 * {@code futuresProcessPool} and every named process pool) after the properties were applied and
 * before the pool is built. Customizer beans run in their {@link org.springframework.core.Ordered
 * order}.
 *
 * <pre>{@code
 * @Bean
 * ProcessPoolExecutorCustomizer workerEnvironment() {
 *     return builder -> builder.environment(Map.of("TZ", "UTC"));
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ProcessPoolExecutorCustomizer {

    /**
     * Customizes the builder.
     *
     * @param builder the builder, with the properties already applied
     */
    void customize(ProcessPoolExecutor.Builder builder);
}
