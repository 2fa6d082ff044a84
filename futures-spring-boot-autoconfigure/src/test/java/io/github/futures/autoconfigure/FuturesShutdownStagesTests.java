package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The shutdown's two stages: pools marked cancel-futures (batch work) stop beside the web server's graceful
 * shutdown, with their own timeout, while the other pools keep serving the requests in flight; the wait is
 * logged per pool every log interval.
 */
@ExtendWith(OutputCaptureExtension.class)
class FuturesShutdownStagesTests {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newHttpClient();

    private CompletableFuture<HttpResponse<String>> get(ConfigurableApplicationContext context, String path) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return this.http.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
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
     * With a request waiting on a pending call of a cancel-futures pool and another on the default pool when the
     * server stops: the first is answered (503, cancelled) while the second still waits, and the second then gets
     * its value and even submits a second call, because the default pool is stopped only after the server drained.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void batchPoolIsCancelledBesideTheGracefulShutdownWhileInteractiveRequestsDrain() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(WebApplication.class)
                .properties("server.port=0", "server.shutdown=graceful", "spring.main.banner-mode=off",
                        "futures.process.enabled=false", "futures.web.errors.enabled=true", "futures.thread.max-workers=2",
                        "futures.executors.batch.kind=thread", "futures.executors.batch.max-workers=1",
                        "futures.executors.batch.shutdown.cancel-futures=true",
                        "futures.executors.batch.shutdown.timeout=500ms")
                .run();
        Controller controller = context.getBean(Controller.class);
        ThreadPoolExecutor batch = context.getBean("batch", ThreadPoolExecutor.class);
        ThreadPoolExecutor interactive = context.getBean(ThreadPoolExecutor.class);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        // the batch pool's one worker is busy until the shutdown interrupts it
        Future<Object> job = batch.submit(() -> {
            blocking.countDown();
            never.await();
            return null;
        });
        assertThat(blocking.await(30, TimeUnit.SECONDS)).isTrue();
        try {
            CompletableFuture<HttpResponse<String>> batchResponse = get(context, "/batch");
            CompletableFuture<HttpResponse<String>> interactiveResponse = get(context, "/wait");
            assertThat(controller.batchWaiting.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(controller.started.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close, r -> new Thread(r, "closer").start());

            HttpResponse<String> cancelled = batchResponse.get(30, TimeUnit.SECONDS);
            assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(503);
            assertThat(interactiveResponse).isNotDone();
            assertThat(batch.isShutdown()).isTrue();
            assertThat(interactive.isShutdown()).isFalse();

            controller.release.countDown();
            HttpResponse<String> answer = interactiveResponse.get(30, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("answer, then more");
            closed.get(60, TimeUnit.SECONDS);
            assertThat(interactive.isShutdown()).isTrue();
            // the running batch call outlasted the batch pool's own 500ms and was interrupted
            assertThat(job.exception(WAIT)).isNotNull();
        } finally {
            never.countDown();
            controller.release.countDown();
            context.close();
        }
    }

    /**
     * While the shutdown waits for a pool it logs what the pool still runs, every log interval; a named pool's own
     * timeout applies to it alone, and its cancel-futures makes it stop in the first stage.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void waitIsLoggedEveryIntervalAndANamedPoolsOwnTimeoutApplies(CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "futures.process.enabled=false", "futures.thread.max-workers=1",
                        "futures.shutdown.log-interval=200ms", "futures.shutdown.timeout=60s",
                        "futures.executors.batch.kind=thread", "futures.executors.batch.max-workers=1",
                        "futures.executors.batch.shutdown.cancel-futures=true",
                        "futures.executors.batch.shutdown.timeout=300ms")
                .run();
        ThreadPoolExecutor batch = context.getBean("batch", ThreadPoolExecutor.class);
        ThreadPoolExecutor interactive = context.getBean(ThreadPoolExecutor.class);
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        try {
            Future<Object> stuck = batch.submit(() -> {
                running.countDown();
                never.await();
                return null;
            });
            Future<String> slow = interactive.submit(() -> {
                running.countDown();
                release.await();
                return "done";
            });
            Future<String> queued = interactive.submit(() -> "queued too");
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close, r -> new Thread(r, "closer").start());
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() ->
                    count(output.getOut(), "Waiting for 1 running and 1 pending calls in pool 'futuresThreadPool' (") >= 3);
            release.countDown();
            closed.get(60, TimeUnit.SECONDS);
            assertThat(slow.result(WAIT)).isEqualTo("done");
            assertThat(queued.result(WAIT)).isEqualTo("queued too");
            assertThat(stuck.exception(WAIT)).isNotNull();
            String out = output.getOut();
            assertThat(out).contains("Pool 'batch' was still busy 300ms after shutdown began").contains("so far, at most 1m)");
            // the cancel-futures pool was given up on before the default pool was even waited for
            assertThat(out.indexOf("Pool 'batch' was still busy"))
                    .isLessThan(out.indexOf("pending calls in pool 'futuresThreadPool'"));
            assertThat(output.getOut()).doesNotContain("Pool 'futuresThreadPool' was still busy");
        } finally {
            never.countDown();
            release.countDown();
            context.close();
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class Application {
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {

        @Bean
        Controller controller(ApplicationContext context) {
            return new Controller(context);
        }
    }

    @RestController
    static class Controller {

        final CountDownLatch started = new CountDownLatch(1);

        final CountDownLatch batchWaiting = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        private final ApplicationContext context;

        Controller(ApplicationContext context) {
            this.context = context;
        }

        @GetMapping("/batch")
        String batch() {
            Future<String> pending = this.context.getBean("batch", ThreadPoolExecutor.class).submit(() -> "computed");
            this.batchWaiting.countDown();
            return pending.result(WAIT);
        }

        @GetMapping("/wait")
        String waitOnFuture() {
            ThreadPoolExecutor pool = this.context.getBean(ThreadPoolExecutor.class);
            Future<String> first = pool.submit(() -> {
                this.started.countDown();
                this.release.await();
                return "answer";
            });
            String value = first.result(WAIT);
            return pool.submit(() -> value + ", then more").result(WAIT);
        }
    }
}
