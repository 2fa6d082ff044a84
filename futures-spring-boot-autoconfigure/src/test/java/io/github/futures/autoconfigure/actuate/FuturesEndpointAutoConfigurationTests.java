package io.github.futures.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ThreadPoolExecutor;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.autoconfigure.FuturesSanitizerTests;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tests for {@link FuturesEndpointAutoConfiguration}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesEndpointAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesEndpointAutoConfiguration.class))
            .withPropertyValues("futures.process.enabled=false");

    @Test
    void endpointIsAutoConfigured() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=futures")
                .run(context -> assertThat(context).hasSingleBean(FuturesEndpoint.class));
    }

    @Test
    void endpointNotAutoConfiguredWhenNotExposed() {
        this.contextRunner.run(context -> assertThat(context).doesNotHaveBean(FuturesEndpoint.class));
    }

    @Test
    void endpointNotAutoConfiguredWhenDisabled() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=futures",
                "management.endpoint.futures.access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(FuturesEndpoint.class));
    }

    @Test
    void endpointBacksOffWhenUserProvidedEndpointIsPresent() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=futures")
                .withUserConfiguration(CustomEndpointConfiguration.class)
                .run(context -> assertThat(context).hasSingleBean(FuturesEndpoint.class).hasBean("customEndpoint"));
    }

    @Test
    void endpointNotAutoConfiguredWithoutActuator() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=futures")
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FuturesEndpoint.class)
                        .hasSingleBean(ThreadPoolExecutor.class)
                        // the starter's log lines are still masked, with the built-in rules
                        .hasSingleBean(io.github.futures.autoconfigure.FuturesSanitizer.class));
    }

    @Test
    void endpointSeesEveryExecutorIncludingNamedPools() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=futures",
                "futures.executors.io.kind=thread", "futures.executors.io.max-workers=2")
                .run(context -> {
                    FuturesEndpoint endpoint = context.getBean(FuturesEndpoint.class);
                    ThreadPoolExecutor io = context.getBean("io", ThreadPoolExecutor.class);
                    io.submit(() -> 1).result(Duration.ofSeconds(30));
                    assertThat(endpoint.executors().executors()).containsOnlyKeys("futuresThreadPool", "io");
                    FuturesEndpoint.ExecutorDescriptor descriptor = endpoint.executor("io");
                    assertThat(descriptor.name()).isEqualTo("io");
                    assertThat(descriptor.kind()).isEqualTo("thread");
                    assertThat(descriptor.state()).isEqualTo("running");
                    assertThat(descriptor.maxWorkers()).isEqualTo(2);
                    assertThat(descriptor.submitted()).isEqualTo(1);
                    assertThat(descriptor.completed()).isEqualTo(new FuturesEndpoint.CompletedDescriptor(1, 0, 0));
                    assertThat(descriptor.workers()).singleElement()
                            .satisfies(w -> assertThat(w.name()).isEqualTo("io_0"));
                    assertThat(descriptor.config()).containsEntry("threadNamePrefix", "io");
                    assertThat(endpoint.executor("nope")).isNull();
                });
    }

    /** A process pool whose worker options carry every kind of secret of {@link FuturesSanitizerTests#EXAMPLES}. */
    private ApplicationContextRunner withSecretOptions() {
        List<String> properties = new ArrayList<>(List.of("management.endpoints.web.exposure.include=futures",
                // the agent of the examples does not exist: no worker could start
                "futures.process.enabled=true", "futures.process.validate-on-startup=false"));
        int i = 0;
        for (String arg : FuturesSanitizerTests.EXAMPLES.keySet()) {
            properties.add("futures.process.jvm-args[" + i++ + "]=" + arg);
        }
        properties.add("futures.process.jvm-args[" + i + "]=-Dapp.region=eu-west-1");
        return this.contextRunner.withPropertyValues(properties.toArray(String[]::new));
    }

    private static String processPoolConfig(FuturesEndpoint endpoint) {
        return endpoint.executor(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME).config().toString();
    }

    /** By default ({@code show-values=never}) no secret of the worker options reaches the endpoint. */
    @Test
    void secretsInWorkerOptionsAreMaskedByDefault() {
        withSecretOptions().run(context -> {
            String config = processPoolConfig(context.getBean(FuturesEndpoint.class));
            FuturesSanitizerTests.EXAMPLES.values().forEach(secret -> assertThat(config).doesNotContain(secret));
            assertThat(config).contains("-Dapp.db.password=******", "-Dapp.region=eu-west-1");
        });
    }

    @Test
    void secretsInWorkerOptionsAreShownWithShowValuesAlways() {
        withSecretOptions().withPropertyValues("management.endpoint.futures.show-values=always").run(context -> {
            String config = processPoolConfig(context.getBean(FuturesEndpoint.class));
            FuturesSanitizerTests.EXAMPLES.values().forEach(secret -> assertThat(config).contains(secret));
        });
    }

    /** {@code when-authorized}: shown to a principal in one of the roles, masked for anyone else. */
    @Test
    void whenAuthorizedShowsSecretsOnlyToAPrincipalInARole() {
        withSecretOptions().withPropertyValues("management.endpoint.futures.show-values=when-authorized",
                "management.endpoint.futures.roles=ops").run(context -> {
                    FuturesEndpoint endpoint = context.getBean(FuturesEndpoint.class);
                    String name = FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME;
                    String anonymous = endpoint.executor(SecurityContext.NONE, name).config().toString();
                    String operator = endpoint.executor(user("ops"), name).config().toString();
                    String other = endpoint.executors(user("dev")).executors().get(name).config().toString();
                    FuturesSanitizerTests.EXAMPLES.values().forEach(secret -> {
                        assertThat(anonymous).doesNotContain(secret);
                        assertThat(other).doesNotContain(secret);
                        assertThat(operator).contains(secret);
                    });
                });
    }

    /** A principal with the given roles, as the web layer makes it from the request. */
    static SecurityContext user(String... roles) {
        return new SecurityContext() {
            @Override
            public Principal getPrincipal() {
                return () -> "someone";
            }

            @Override
            public boolean isUserInRole(String role) {
                return List.of(roles).contains(role);
            }
        };
    }

    /** The application's SanitizingFunction beans apply, even where values are shown. */
    @Test
    void applicationSanitizingFunctionIsApplied() {
        withSecretOptions().withPropertyValues("management.endpoint.futures.show-values=always")
                .withBean(SanitizingFunction.class, () -> SanitizingFunction.sanitizeValue().ifKeyEquals("app.region"))
                .run(context -> {
                    String config = processPoolConfig(context.getBean(FuturesEndpoint.class));
                    assertThat(config).contains("-Dapp.region=******").doesNotContain("eu-west-1")
                            .contains("-Dapp.db.password=hunter2");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomEndpointConfiguration {

        @Bean
        FuturesEndpoint customEndpoint() {
            return new FuturesEndpoint(Map::of);
        }
    }
}
