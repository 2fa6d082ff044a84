package io.github.futures.autoconfigure.actuate;

import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.GRANTED;
import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TerminatedWorkerError;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.hazelcast.ClusterExecutor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The control operations of {@code /actuator/futures/{name}} over HTTP on a real server:
 * {@code cancel-pending}, {@code replace-worker}, {@code thread-dump} and {@code set-max-workers}, refused
 * under the default (read-only) access and acting on real pools (worker JVMs for the process pool, an embedded
 * Hazelcast member for the cluster pool) once granted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FuturesControlWebTests {

    private final FuturesEndpointWeb web = new FuturesEndpointWeb();

    private static ConfigurableApplicationContext start(String... properties) {
        return FuturesEndpointWeb.start(WebApplication.class, 1, properties);
    }

    /** Under the default access every control operation is refused (405) and the pool is left as it was. */
    @Test
    void controlOperationsAreRefusedUnderTheDefaultAccess() throws Exception {
        try (ConfigurableApplicationContext context = start()) {
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            CountDownLatch release = new CountDownLatch(1);
            try {
                pool.submit(() -> {
                    release.await();
                    return null;
                });
                Future<Integer> pending = pool.submit(() -> 1);
                for (String body : List.of("{\"action\":\"cancel-pending\"}", "{\"action\":\"thread-dump\"}",
                        "{\"action\":\"set-max-workers\",\"maxWorkers\":5}",
                        "{\"action\":\"replace-worker\",\"pid\":1}")) {
                    HttpResponse<String> r = this.web.post(context, "futuresThreadPool", body);
                    assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(405);
                }
                assertThat(pending.cancelled()).isFalse();
                assertThat(pool.maxWorkers()).isEqualTo(1);
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * Granted, on the thread pool: cancel-pending cancels the backlog and answers the count, thread-dump shows the
     * blocked worker's stack, set-max-workers changes the size the endpoint reports, and bad requests are refused
     * with a message: a size below 1, replace-worker on a pool without processes, an unknown pool.
     */
    @Test
    void threadPoolControlsWorkWhenAccessIsGranted() throws Exception {
        try (ConfigurableApplicationContext context = start(GRANTED)) {
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<String> running;
            List<Future<Integer>> pending = new ArrayList<>();
            try {
                running = pool.submit(() -> {
                    started.countDown();
                    release.await();
                    return "ran";
                });
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                for (int i = 0; i < 5; i++) {
                    pending.add(pool.submit(() -> 1));
                }
                HttpResponse<String> cancel = this.web.post(context, "futuresThreadPool",
                        "{\"action\":\"cancel-pending\"}");
                assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
                JsonNode answer = this.web.json(cancel);
                assertThat(answer.get("cancelled").asInt()).isEqualTo(5);
                assertThat(answer.get("done").asBoolean()).isTrue();
                assertThat(pending).allMatch(Future::cancelled);

                HttpResponse<String> dump = this.web.post(context, "futuresThreadPool", "{\"action\":\"thread-dump\"}");
                assertThat(dump.statusCode()).as(dump.body()).isEqualTo(200);
                assertThat(this.web.json(dump).get("threadDump").asString())
                        .contains("futures-thread").contains(FuturesControlWebTests.class.getName() + ".lambda$");
            } finally {
                release.countDown();
            }
            assertThat(running.result(WAIT)).isEqualTo("ran");

            HttpResponse<String> resized = this.web.post(context, "futuresThreadPool",
                    "{\"action\":\"set-max-workers\",\"maxWorkers\":4}");
            assertThat(resized.statusCode()).as(resized.body()).isEqualTo(200);
            assertThat(this.web.json(resized).get("maxWorkers").asInt()).isEqualTo(4);
            JsonNode described = this.web.get(context, "futuresThreadPool");
            assertThat(described.get("maxWorkers").asInt()).isEqualTo(4);
            assertThat(described.get("config").get("maxWorkers").asInt()).isEqualTo(4);

            HttpResponse<String> zero = this.web.post(context, "futuresThreadPool",
                    "{\"action\":\"set-max-workers\",\"maxWorkers\":0}");
            assertThat(zero.statusCode()).isEqualTo(400);
            assertThat(this.web.json(zero).get("message").asString())
                    .contains("maxWorkers must be at least 1, got 0");
            assertThat(pool.maxWorkers()).isEqualTo(4);
            HttpResponse<String> missing = this.web.post(context, "futuresThreadPool",
                    "{\"action\":\"set-max-workers\"}");
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(this.web.json(missing).get("message").asString()).contains("needs \"maxWorkers\"");

            HttpResponse<String> replace = this.web.post(context, "futuresThreadPool",
                    "{\"action\":\"replace-worker\",\"pid\":1}");
            assertThat(replace.statusCode()).isEqualTo(400);
            assertThat(this.web.json(replace).get("message").asString()).contains("cannot replace a worker");
            assertThat(this.web.post(context, "nope", "{\"action\":\"cancel-pending\"}").statusCode()).isEqualTo(404);
        }
    }

    /**
     * Granted, on a real process pool: the worker chips' used heap is reported, a worker's thread dump is its JVM's,
     * replace-worker kills the worker running a call (the call fails with TerminatedWorkerError, the pool runs on in a
     * new worker), an unknown pid answers 404 naming the live workers, and set-max-workers grows the pool.
     */
    @Test
    void processPoolControlsWorkOnRealWorkersWhenAccessIsGranted() throws Exception {
        try (ConfigurableApplicationContext context = start(GRANTED, "futures.process.enabled=true",
                "futures.process.max-workers=1")) {
            ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
            long pid = pool.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT);
            pool.submit((SerializableCallable<Long>) () -> 1L).result(WAIT); // comes after the first call's heap report
            JsonNode worker = this.web.get(context, "futuresProcessPool").get("workers").get(0);
            assertThat(worker.get("pid").asLong()).isEqualTo(pid);
            assertThat(worker.get("usedHeap").asLong()).isPositive();

            HttpResponse<String> dump = this.web.post(context, "futuresProcessPool",
                    "{\"action\":\"thread-dump\",\"pid\":" + pid + "}");
            assertThat(dump.statusCode()).as(dump.body()).isEqualTo(200);
            assertThat(this.web.json(dump).get("threadDump").asString()).startsWith("Full thread dump")
                    .contains("io.github.futures.process.WorkerMain");

            Future<Long> running = pool.submit((SerializableCallable<Long>) () -> {
                Thread.sleep(Long.MAX_VALUE);
                return 0L;
            });
            HttpResponse<String> replaced = this.web.post(context, "futuresProcessPool",
                    "{\"action\":\"replace-worker\",\"pid\":" + pid + "}");
            assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
            assertThat(this.web.json(replaced).get("message").asString()).contains("pid " + pid);
            assertThat(running.exception(WAIT)).isInstanceOf(TerminatedWorkerError.class);
            long next = pool.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT);
            assertThat(next).isNotEqualTo(pid);
            assertThat(this.web.get(context, "futuresProcessPool").get("state").asString()).isEqualTo("running");

            HttpResponse<String> unknown = this.web.post(context, "futuresProcessPool",
                    "{\"action\":\"replace-worker\",\"pid\":" + ProcessHandle.current().pid() + "}");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(this.web.json(unknown).get("message").asString()).contains("No live worker with pid")
                    .contains(Long.toString(next));

            HttpResponse<String> grown = this.web.post(context, "futuresProcessPool",
                    "{\"action\":\"set-max-workers\",\"maxWorkers\":2}");
            assertThat(grown.statusCode()).as(grown.body()).isEqualTo(200);
            assertThat(pool.maxWorkers()).isEqualTo(2);
            assertThat(this.web.get(context, "futuresProcessPool").get("maxWorkers").asInt()).isEqualTo(2);
        }
    }

    /** Released by the cluster test; the calls, deserialized by the member in this JVM, reach it as a static. */
    private static volatile CountDownLatch clusterRelease = new CountDownLatch(0);

    private static volatile CountDownLatch clusterStarted = new CountDownLatch(0);

    private static String blockInCluster() throws InterruptedException {
        clusterStarted.countDown();
        clusterRelease.await();
        return "ran";
    }

    /**
     * Granted, on a cluster pool with a real embedded member: cancel-pending cancels the calls waiting locally and
     * leaves the one sent to the member, set-max-workers raises the in-flight bound (a new call is sent at once) and
     * the endpoint reports it, thread-dump and a size below 1 are refused with a message.
     */
    @Test
    void clusterPoolControlsWorkWhenAccessIsGranted() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        clusterStarted = new CountDownLatch(1);
        clusterRelease = new CountDownLatch(1);
        try (ConfigurableApplicationContext context = start(GRANTED, "futures.cluster.enabled=true",
                "futures.cluster.name=futures-control-" + UUID.randomUUID(), "futures.cluster.port=" + port,
                "futures.cluster.members=127.0.0.1:" + port, "futures.cluster.max-workers=1")) {
            ClusterExecutor pool = context.getBean(ClusterExecutor.class);
            String name = "futuresClusterPool";
            Future<String> running;
            Future<String> sentAfterGrowth;
            try {
                running = pool.submit((SerializableCallable<String>) FuturesControlWebTests::blockInCluster);
                assertThat(clusterStarted.await(30, TimeUnit.SECONDS)).isTrue();
                List<Future<String>> pending = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    pending.add(pool.submit((SerializableCallable<String>) () -> "never"));
                }
                HttpResponse<String> cancel = this.web.post(context, name, "{\"action\":\"cancel-pending\"}");
                assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
                assertThat(this.web.json(cancel).get("cancelled").asInt()).isEqualTo(3);
                assertThat(pending).allMatch(Future::cancelled);
                assertThat(running.running()).isTrue();

                HttpResponse<String> resized = this.web.post(context, name,
                        "{\"action\":\"set-max-workers\",\"maxWorkers\":2}");
                assertThat(resized.statusCode()).as(resized.body()).isEqualTo(200);
                assertThat(this.web.json(resized).get("maxWorkers").asInt()).isEqualTo(2);
                JsonNode described = this.web.get(context, name);
                assertThat(described.get("maxWorkers").asInt()).isEqualTo(2);
                assertThat(described.get("config").get("maxWorkers").asInt()).isEqualTo(2);
                sentAfterGrowth = pool.submit((SerializableCallable<String>) FuturesControlWebTests::blockInCluster);
                assertThat(sentAfterGrowth.running()).as("sent at once under the new bound").isTrue();

                HttpResponse<String> dump = this.web.post(context, name, "{\"action\":\"thread-dump\"}");
                assertThat(dump.statusCode()).isEqualTo(400);
                assertThat(this.web.json(dump).get("message").asString())
                        .contains("not supported for cluster pools");
                HttpResponse<String> zero = this.web.post(context, name,
                        "{\"action\":\"set-max-workers\",\"maxWorkers\":0}");
                assertThat(zero.statusCode()).isEqualTo(400);
                assertThat(this.web.json(zero).get("message").asString())
                        .contains("maxWorkers must be at least 1");
                assertThat(pool.maxWorkers()).isEqualTo(2);
            } finally {
                clusterRelease.countDown();
            }
            assertThat(running.result(WAIT)).isEqualTo("ran");
            assertThat(sentAfterGrowth.result(WAIT)).isEqualTo("ran");
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {
    }
}
