package io.github.futures.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.autoconfigure.Workers;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** {@code futures.health.liveness}: the futures contributor in Boot's liveness group. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FuturesLivenessWebTests {

    private final FuturesEndpointWeb web = new FuturesEndpointWeb();

    /** With a real server and a real worker JVM killed under a call, /actuator/health/liveness turns from UP to DOWN (503). */
    @Test
    void brokenProcessPoolTurnsLivenessDown() throws Exception {
        try (ConfigurableApplicationContext context = FuturesEndpointWeb.run(WebApplication.class,
                "futures.health.liveness=true", "management.endpoints.web.exposure.include=health",
                "futures.thread.max-workers=2", "futures.process.max-workers=1")) {
            HttpResponse<String> up = this.web.response(context, "/actuator/health/liveness");
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            assertThat(up.body()).contains("\"UP\"");
            Workers.breakByKillingItsWorker(context.getBean(ProcessPoolExecutor.class));
            HttpResponse<String> down = this.web.response(context, "/actuator/health/liveness");
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).contains("\"DOWN\"");
        }
    }

    /** The group's members: livenessState and futures by default; the application's list plus futures; nothing when off. */
    @Test
    void livenessGroupIncludesTheFuturesContributorOnlyWhenAsked() {
        assertThat(include(Map.of())).isNull();
        assertThat(include(Map.of("futures.health.liveness", "false"))).isNull();
        assertThat(include(Map.of("futures.health.liveness", "true"))).isEqualTo("livenessState,futures");
        assertThat(include(Map.of("futures.health.liveness", "true",
                FuturesLivenessEnvironmentPostProcessor.INCLUDE, "livenessState,db"))).isEqualTo("livenessState,db,futures");
        assertThat(include(Map.of("futures.health.liveness", "true",
                FuturesLivenessEnvironmentPostProcessor.INCLUDE, "futures"))).isEqualTo("futures");
        assertThat(include(Map.of("futures.health.liveness", "true",
                "management.endpoint.health.probes.enabled", "false"))).isEqualTo("futures");
        assertThat(include(Map.of("futures.health.liveness", "true", "management.health.futures.enabled", "false"))).isNull();
    }

    private static String include(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addLast(new MapPropertySource("test", properties));
        new FuturesLivenessEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
        return environment.getProperty(FuturesLivenessEnvironmentPostProcessor.INCLUDE);
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {
    }
}
