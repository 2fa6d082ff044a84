package io.github.futures.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.autoconfigure.Workers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pools' failures as HTTP answers ({@code futures.web.errors.enabled=true}) in a Spring MVC
 * application with a real server, real pools and a real worker JVM killed under a call.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class FuturesWebErrorsTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ConfigurableApplicationContext context;

    private final HttpClient http = HttpClient.newHttpClient();

    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(WebApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "futures.web.errors.enabled=true",
                        "futures.web.errors.retry-after=1500ms", "futures.thread.max-workers=2",
                        "futures.process.max-workers=1", "futures.executors.closed.kind=thread",
                        "futures.executors.closed.max-workers=1",
                        // the application's own exception, thrown on purpose, is Tomcat's error log with a stack trace
                        "logging.level.org.apache.catalina.core.ContainerBase=off")
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

    private static int count(String text, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * 50 requests rejected by a shut-down pool each get 503 with Retry-After (1500ms rounded up to 2s) and a
     * problem detail; one line is logged for them all, and no stack trace.
     */
    @Test
    void rejectionByAPoolAnswers503WithRetryAfterAndIsLoggedOnce(CapturedOutput output) throws Exception {
        context.getBean("closed", ThreadPoolExecutor.class).shutdown(false, false);
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = get("/closed");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            JsonNode problem = this.json.readTree(response.body());
            assertThat(problem.get("status").asInt()).isEqualTo(503);
            assertThat(problem.get("detail").asString()).contains("cannot schedule new futures after shutdown", "retry after 2s");
        }
        assertThat(count(output.getOut(), "rejects calls (cannot schedule new futures after shutdown)")).isEqualTo(1);
        assertThat(output.getOut()).doesNotContain("at io.github.futures.");
    }

    /** A RejectedExecutionException the application throws itself is not the pools': Boot's usual 500. */
    @Test
    void applicationsOwnRejectionIsLeftToTheApplication() throws Exception {
        HttpResponse<String> response = get("/mine");
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }

    /** An application's advice for the same exception wins over the starter's. */
    @Test
    void applicationsAdviceWins() throws Exception {
        context.getBean("closed", ThreadPoolExecutor.class).shutdown(false, false);
        HttpResponse<String> response = get("/user/closed");
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).isEqualTo("the application's answer");
    }

    /** A call that does not end within the controller's timeout answers 504. */
    @Test
    void timeoutAnswers504() throws Exception {
        HttpResponse<String> response = get("/slow");
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(this.json.readTree(response.body()).get("status").asInt()).isEqualTo(504);
    }

    /**
     * After a worker JVM is killed under a call, the broken process pool's calls answer 503 with its reason;
     * that the pool is broken is logged once for all of them.
     */
    @Test
    void brokenPoolAnswers503WithItsReasonLoggedOnce(CapturedOutput output) throws Exception {
        ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
        Workers.breakByKillingItsWorker(pool);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = get("/process");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isEmpty();
            JsonNode problem = this.json.readTree(response.body());
            assertThat(problem.get("pool").asString()).isEqualTo("futuresProcessPool");
            assertThat(problem.get("detail").asString()).startsWith("Pool 'futuresProcessPool' is broken: ");
        }
        assertThat(count(output.getOut(), "Pool 'futuresProcessPool' is broken (")).isEqualTo(1);
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {

        @Bean
        Controller controller(ApplicationContext context) {
            return new Controller(context);
        }

        @Bean
        UserController userController(ApplicationContext context) {
            return new UserController(context);
        }

        @Bean
        UserAdvice userAdvice() {
            return new UserAdvice();
        }
    }

    @RestController
    static class Controller {

        static final CountDownLatch release = new CountDownLatch(1);

        private final ApplicationContext context;

        Controller(ApplicationContext context) {
            this.context = context;
        }

        @GetMapping("/closed")
        String closed() {
            return this.context.getBean("closed", ThreadPoolExecutor.class).submit(() -> "never").result(WAIT);
        }

        @GetMapping("/process")
        String process() {
            return this.context.getBean(ProcessPoolExecutor.class).submit((SerializableCallable<String>) () -> "x").result(WAIT);
        }

        @GetMapping("/slow")
        String slow() {
            return this.context.getBean(ThreadPoolExecutor.class).submit(() -> {
                release.await();
                return "late";
            }).result(Duration.ofMillis(100));
        }

        @GetMapping("/mine")
        String mine() {
            throw new RejectedExecutionException("the application's own");
        }
    }

    @RestController
    static class UserController {

        private final ApplicationContext context;

        UserController(ApplicationContext context) {
            this.context = context;
        }

        @GetMapping("/user/closed")
        String closed() {
            return this.context.getBean("closed", ThreadPoolExecutor.class).submit(() -> "never").result(WAIT);
        }
    }

    @ControllerAdvice(assignableTypes = UserController.class)
    static class UserAdvice {

        @ExceptionHandler(RejectedExecutionException.class)
        ResponseEntity<String> rejected() {
            return ResponseEntity.status(429).body("the application's answer");
        }
    }
}
