package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The pools in a web application with a real embedded server. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuturesGracefulShutdownTests {

    private final HttpClient http = HttpClient.newHttpClient();

    private static ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(WebApplication.class)
                .properties("server.port=0", "server.shutdown=graceful", "futures.process.enabled=false",
                        "management.endpoints.web.exposure.include=health", "spring.main.banner-mode=off")
                .run();
    }

    private CompletableFuture<HttpResponse<String>> get(ConfigurableApplicationContext context, String path) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return this.http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ConfigurableApplicationContext context;

    @BeforeAll
    static void startApplication() {
        context = start();
    }

    @AfterAll
    static void closeApplication() {
        context.close(); // harmless when the last test already closed it
    }

    @Test
    @Order(1)
    void mvcAsyncRequestsRunOnTheThreadPool() throws Exception {
        HttpResponse<String> answer = get(context, "/callable").get(30, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).startsWith("futures-thread_");
    }

    /** Closes the shared application: runs last. */
    @Test
    @Order(2)
    void requestWaitingOnAFutureWhenShutdownBeginsStillGetsItsAnswer() throws Exception {
        Controller controller = context.getBean(Controller.class);
        ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
        GracefulProbe probe = context.getBean(GracefulProbe.class);
        CompletableFuture<HttpResponse<String>> response = get(context, "/wait");
        assertThat(controller.started.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close, r -> new Thread(r, "closer").start());
        // graceful shutdown is about to begin: the request is in flight, waiting on its future
        assertThat(probe.closing.await(30, TimeUnit.SECONDS)).isTrue();
        controller.release.countDown();
        HttpResponse<String> answer = response.get(30, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        // the handler submitted a second call after the first finished: the pool was still open
        assertThat(answer.body()).isEqualTo("answer, then more");
        closed.get(30, TimeUnit.SECONDS);
        assertThat(pool.isShutdown()).isTrue();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {

        @Bean
        Controller controller(ThreadPoolExecutor pool) {
            return new Controller(pool);
        }

        @Bean
        GracefulProbe gracefulProbe() {
            return new GracefulProbe();
        }
    }

    @RestController
    static class Controller {

        final CountDownLatch started = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        private final ThreadPoolExecutor pool;

        Controller(ThreadPoolExecutor pool) {
            this.pool = pool;
        }

        @GetMapping("/wait")
        String waitOnFuture() {
            Future<String> first = this.pool.submit(() -> {
                this.started.countDown();
                this.release.await();
                return "answer";
            });
            String value = first.result(Duration.ofSeconds(60));
            return this.pool.submit(() -> value + ", then more").result(Duration.ofSeconds(60));
        }

        @GetMapping("/callable")
        Callable<String> callable() {
            return () -> Thread.currentThread().getName();
        }
    }

    /** Stops just before the web server's graceful shutdown. */
    static class GracefulProbe extends ClosingProbe {

        @Override
        public int getPhase() {
            return WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE + 1;
        }
    }
}
