package io.github.futures.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.autoconfigure.Workers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** {@code futures.health.liveness}: the futures contributor in Boot's liveness group. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FuturesLivenessWebTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();

    /** With a real server and a real worker JVM killed under a call, /actuator/health/liveness turns from UP to DOWN (503). */
    @Test
    void brokenProcessPoolTurnsLivenessDown() throws Exception {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(WebApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "futures.health.liveness=true",
                        "management.endpoints.web.exposure.include=health", "futures.thread.max-workers=2",
                        "futures.process.max-workers=1")
                .run()) {
            HttpResponse<String> up = get(context, "/actuator/health/liveness");
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            assertThat(up.body()).contains("\"UP\"");
            Workers.breakByKillingItsWorker(context.getBean(ProcessPoolExecutor.class));
            HttpResponse<String> down = get(context, "/actuator/health/liveness");
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).contains("\"DOWN\"");
        }
    }

    private HttpResponse<String> get(ConfigurableApplicationContext context, String path)
            throws IOException, InterruptedException {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
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
