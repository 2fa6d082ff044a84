package io.github.futures.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ThreadPoolExecutor;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
                        .hasSingleBean(ThreadPoolExecutor.class));
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

    @Test
    void secretLookingSystemPropertiesAndEnvironmentValuesAreMasked() {
        assertThat(FuturesEndpoint.maskJvmArg("-Ddb.password=hunter2")).isEqualTo("-Ddb.password=******");
        assertThat(FuturesEndpoint.maskJvmArg("-Dapi.TOKEN=abc")).isEqualTo("-Dapi.TOKEN=******");
        assertThat(FuturesEndpoint.maskJvmArg("-Daws.credentials=x")).isEqualTo("-Daws.credentials=******");
        assertThat(FuturesEndpoint.maskJvmArg("-Dclient.secret=x")).isEqualTo("-Dclient.secret=******");
        assertThat(FuturesEndpoint.maskJvmArg("-Dssl.key=x")).isEqualTo("-Dssl.key=******");
        assertThat(FuturesEndpoint.maskJvmArg("-Dapp.mode=test")).isEqualTo("-Dapp.mode=test");
        assertThat(FuturesEndpoint.maskJvmArg("-Xmx64m")).isEqualTo("-Xmx64m");
        Map<String, Object> sanitized = FuturesEndpoint.sanitize(Map.of(
                "jvmArgs", java.util.List.of("-Xmx64m", "-Dpassword=p", "-Duser=u"),
                "environment", Map.of("API_TOKEN", "t", "TZ", "UTC"),
                "maxWorkers", 2,
                "env", java.util.List.of("TZ", "DB_PASSWORD=hunter2")));
        assertThat(sanitized.get("jvmArgs")).isEqualTo(java.util.List.of("-Xmx64m", "-Dpassword=******", "-Duser=u"));
        assertThat(sanitized.get("environment")).isEqualTo(Map.of("API_TOKEN", "******", "TZ", "******"));
        assertThat(sanitized.get("maxWorkers")).isEqualTo(2);
        assertThat(sanitized.get("env")).isEqualTo(java.util.List.of("TZ", "DB_PASSWORD=******"));
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomEndpointConfiguration {

        @Bean
        FuturesEndpoint customEndpoint() {
            return new FuturesEndpoint(Map::of);
        }
    }
}
