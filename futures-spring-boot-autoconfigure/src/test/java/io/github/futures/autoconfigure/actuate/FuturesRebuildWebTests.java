package io.github.futures.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.autoconfigure.Workers;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolState;
import io.github.futures.spi.Rebuildable;
import io.github.futures.spi.TaskStats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rebuild operation of {@code /actuator/futures/{name}} over HTTP: refused under the default
 * (read-only) access, and, once granted, rebuilding a broken {@link Rebuildable} pool.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesRebuildWebTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newHttpClient();

    private final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(WebApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off", "futures.process.enabled=false",
                        "futures.thread.max-workers=2", "management.endpoints.web.exposure.include=futures")
                .properties(properties).run();
    }

    private HttpResponse<String> post(ConfigurableApplicationContext context, String path, String body)
            throws IOException, InterruptedException {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(WAIT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** By default the endpoint is read-only: a POST is refused and the broken pool stays broken. */
    @Test
    void rebuildIsRefusedUnderTheDefaultAccess() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            RepairablePool pool = context.getBean(RepairablePool.class);
            pool.breakIt("worker 4242 died with exit code 137");
            HttpResponse<String> response = post(context, "/actuator/futures/repairable", "{\"action\":\"rebuild\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(405);
            assertThat(pool.snapshot().state()).isEqualTo("broken");
            assertThat(pool.rebuilds).isZero();
        }
    }

    /**
     * With access granted, rebuild brings a broken pool back (it runs calls again) and says so; on a pool that is not
     * broken it does nothing; an unknown action, a pool that cannot be rebuilt and an unknown pool are refused.
     */
    @Test
    void rebuildBringsABrokenPoolBackWhenAccessIsGranted() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoint.futures.access=unrestricted")) {
            RepairablePool pool = context.getBean(RepairablePool.class);
            pool.breakIt("worker 4242 died with exit code 137");
            HttpResponse<String> rebuilt = post(context, "/actuator/futures/repairable", "{\"action\":\"rebuild\"}");
            assertThat(rebuilt.statusCode()).as(rebuilt.body()).isEqualTo(200);
            JsonNode answer = this.json.readTree(rebuilt.body());
            assertThat(answer.get("done").asBoolean()).isTrue();
            assertThat(answer.get("state").asString()).isEqualTo("running");
            assertThat(pool.rebuilds).isEqualTo(1);
            java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
            pool.execute(ran::countDown);
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();

            JsonNode again = this.json.readTree(post(context, "/actuator/futures/repairable", "{\"action\":\"rebuild\"}").body());
            assertThat(again.get("done").asBoolean()).isFalse();
            assertThat(pool.rebuilds).isEqualTo(1);

            assertThat(post(context, "/actuator/futures/repairable", "{\"action\":\"explode\"}").statusCode()).isEqualTo(400);
            HttpResponse<String> thread = post(context, "/actuator/futures/futuresThreadPool", "{\"action\":\"rebuild\"}");
            assertThat(thread.statusCode()).isEqualTo(400);
            assertThat(post(context, "/actuator/futures/nope", "{\"action\":\"rebuild\"}").statusCode()).isEqualTo(404);
        }
    }

    /**
     * The real process pool: broken by a worker JVM killed under a call, rebuilt over HTTP, then
     * running calls in a fresh worker.
     */
    @Test
    void rebuildBringsABrokenProcessPoolBackWithAFreshWorker() throws Exception {
        try (ConfigurableApplicationContext context = start("management.endpoint.futures.access=unrestricted",
                "futures.process.enabled=true", "futures.process.max-workers=1")) {
            ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
            long before = pool.snapshot().workerDetails().get(0).pid(); // started at refresh by the start-up check
            Workers.breakByKillingItsWorker(pool);
            HttpResponse<String> rebuilt = post(context, "/actuator/futures/futuresProcessPool", "{\"action\":\"rebuild\"}");
            assertThat(rebuilt.statusCode()).as(rebuilt.body()).isEqualTo(200);
            assertThat(this.json.readTree(rebuilt.body()).get("done").asBoolean()).isTrue();
            assertThat(pool.snapshot().state()).isEqualTo("running");
            long after = pool.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT);
            assertThat(after).isNotEqualTo(before);
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {

        @Bean(destroyMethod = "")
        RepairablePool repairable() {
            return new RepairablePool();
        }
    }

    /**
     * A small executor that runs each task on a new thread, and can break (refusing tasks) and be rebuilt:
     * what a process pool does, without worker JVMs.
     */
    static final class RepairablePool implements Executor, ObservableExecutor, Rebuildable {

        private final TaskStats stats = new TaskStats();

        private volatile String brokenReason;

        volatile int rebuilds;

        void breakIt(String reason) {
            this.brokenReason = reason;
        }

        @Override
        public void execute(Runnable command) {
            if (this.brokenReason != null) {
                throw new RejectedExecutionException("broken: " + this.brokenReason);
            }
            new Thread(command, "repairable").start();
        }

        @Override
        public synchronized boolean rebuild() {
            if (this.brokenReason == null) {
                return false;
            }
            this.brokenReason = null;
            this.rebuilds++;
            return true;
        }

        @Override
        public String kind() {
            return "thread";
        }

        @Override
        public ExecutorSnapshot snapshot() {
            String reason = this.brokenReason;
            return new ExecutorSnapshot("thread", PoolState.of(false, reason != null).value(), 1, 0, 0, 0, 0, 0, 0, 0, 0,
                    reason, List.of(), Map.of());
        }

        @Override
        public TaskStats taskStats() {
            return this.stats;
        }
    }
}
