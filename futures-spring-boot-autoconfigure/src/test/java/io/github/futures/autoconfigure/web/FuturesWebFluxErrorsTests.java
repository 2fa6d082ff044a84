package io.github.futures.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pools' failures as HTTP answers ({@code futures.web.errors.enabled=true}) in a Spring WebFlux
 * application on a real reactive server, with a real pool: a pending limit reached answers 503 with
 * {@code Retry-After}, a call that does not end in time 504.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FuturesWebFluxErrorsTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ConfigurableApplicationContext context;

    private final HttpClient http = HttpClient.newHttpClient();

    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(ReactiveApplication.class).web(WebApplicationType.REACTIVE)
                .properties("server.port=0", "spring.main.banner-mode=off", "futures.web.errors.enabled=true",
                        "futures.process.enabled=false", "futures.executors.busy.kind=thread",
                        "futures.executors.busy.max-workers=1", "futures.executors.busy.max-pending=1")
                .run();
    }

    @AfterAll
    static void stop() {
        Controller.release.countDown();
        if (context != null) {
            context.close();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The WebFlux variant of the advice is the one registered: the application is reactive. */
    @Test
    void theReactiveApplicationGetsTheAdvice() {
        assertThat(context.containsBean(FuturesWebErrorsAutoConfiguration.WEBFLUX_EXCEPTION_HANDLER_BEAN_NAME)).isTrue();
        assertThat(context.containsBean(FuturesWebErrorsAutoConfiguration.MVC_EXCEPTION_HANDLER_BEAN_NAME)).isFalse();
    }

    /** With the one worker busy and the one pending slot taken, a submit is refused: 503 with Retry-After and a problem detail. */
    @Test
    void pendingLimitReachedAnswers503WithRetryAfter() throws Exception {
        ThreadPoolExecutor busy = context.getBean("busy", ThreadPoolExecutor.class);
        CountDownLatch started = new CountDownLatch(1);
        busy.submit(() -> {
            started.countDown();
            return Controller.release.await(60, TimeUnit.SECONDS);
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        busy.submit(() -> 1); // the one pending slot
        HttpResponse<String> response = get("/submit");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = this.json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(503);
        assertThat(problem.get("detail").asString()).contains("maxPending");
    }

    /** A call that does not end within the controller's wait answers 504. */
    @Test
    void callNotEndingInTimeAnswers504() throws Exception {
        HttpResponse<String> response = get("/slow");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        assertThat(this.json.readTree(response.body()).get("status").asInt()).isEqualTo(504);
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class ReactiveApplication {

        @Bean
        Controller controller(ConfigurableApplicationContext context) {
            return new Controller(context);
        }
    }

    @RestController
    static class Controller {

        static final CountDownLatch release = new CountDownLatch(1);

        private final ConfigurableApplicationContext context;

        Controller(ConfigurableApplicationContext context) {
            this.context = context;
        }

        private ThreadPoolExecutor busy() {
            return this.context.getBean("busy", ThreadPoolExecutor.class);
        }

        @GetMapping("/submit")
        Mono<Integer> submit() {
            return Mono.fromCallable(() -> busy().submit(() -> 2).result(WAIT));
        }

        @GetMapping("/slow")
        Mono<Boolean> slow() {
            ThreadPoolExecutor threads = this.context.getBean("futuresThreadPool", ThreadPoolExecutor.class);
            Future<Boolean> f = threads.submit(() -> release.await(60, TimeUnit.SECONDS));
            return Mono.fromCallable(() -> f.result(Duration.ofMillis(100)));
        }
    }
}
