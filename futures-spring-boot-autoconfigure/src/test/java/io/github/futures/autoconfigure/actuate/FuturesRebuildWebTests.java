package io.github.futures.autoconfigure.actuate;

import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.GRANTED;
import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.autoconfigure.Workers;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolState;
import io.github.futures.spi.Rebuildable;
import io.github.futures.spi.TaskStats;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;

/**
 * The rebuild operation of {@code /actuator/futures/{name}} over HTTP: refused under the default
 * (read-only) access, and, once granted, rebuilding a broken {@link Rebuildable} pool.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesRebuildWebTests {

    private final FuturesEndpointWeb web = new FuturesEndpointWeb();

    private static ConfigurableApplicationContext start(String... properties) {
        return FuturesEndpointWeb.start(WebApplication.class, 2, properties);
    }

    /** By default the endpoint is read-only: a POST is refused and the broken pool stays broken. */
    @Test
    void rebuildIsRefusedUnderTheDefaultAccess() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            RepairablePool pool = context.getBean(RepairablePool.class);
            pool.breakIt("worker 4242 died with exit code 137");
            HttpResponse<String> response = this.web.post(context, "repairable", "{\"action\":\"rebuild\"}");
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
        try (ConfigurableApplicationContext context = start(GRANTED)) {
            RepairablePool pool = context.getBean(RepairablePool.class);
            pool.breakIt("worker 4242 died with exit code 137");
            HttpResponse<String> rebuilt = this.web.post(context, "repairable", "{\"action\":\"rebuild\"}");
            assertThat(rebuilt.statusCode()).as(rebuilt.body()).isEqualTo(200);
            JsonNode answer = this.web.json(rebuilt);
            assertThat(answer.get("done").asBoolean()).isTrue();
            assertThat(answer.get("state").asString()).isEqualTo("running");
            assertThat(pool.rebuilds).isEqualTo(1);
            java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
            pool.execute(ran::countDown);
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();

            JsonNode again = this.web.json(web.post(context, "repairable", "{\"action\":\"rebuild\"}"));
            assertThat(again.get("done").asBoolean()).isFalse();
            assertThat(pool.rebuilds).isEqualTo(1);

            assertThat(this.web.post(context, "repairable", "{\"action\":\"explode\"}").statusCode()).isEqualTo(400);
            HttpResponse<String> thread = this.web.post(context, "futuresThreadPool", "{\"action\":\"rebuild\"}");
            assertThat(thread.statusCode()).isEqualTo(400);
            assertThat(this.web.post(context, "nope", "{\"action\":\"rebuild\"}").statusCode()).isEqualTo(404);
        }
    }

    /**
     * The real process pool: broken by a worker JVM killed under a call, rebuilt over HTTP, then
     * running calls in a fresh worker.
     */
    @Test
    void rebuildBringsABrokenProcessPoolBackWithAFreshWorker() throws Exception {
        try (ConfigurableApplicationContext context = start(GRANTED,
                "futures.process.enabled=true", "futures.process.max-workers=1")) {
            ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
            long before = pool.snapshot().workerDetails().get(0).pid(); // started at refresh by the start-up check
            Workers.breakByKillingItsWorker(pool);
            HttpResponse<String> rebuilt = this.web.post(context, "futuresProcessPool", "{\"action\":\"rebuild\"}");
            assertThat(rebuilt.statusCode()).as(rebuilt.body()).isEqualTo(200);
            assertThat(this.web.json(rebuilt).get("done").asBoolean()).isTrue();
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
