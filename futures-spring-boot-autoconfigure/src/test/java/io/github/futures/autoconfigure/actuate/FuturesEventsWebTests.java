package io.github.futures.autoconfigure.actuate;

import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolEvent;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The {@code futuresevents} endpoint over HTTP: events published through real pools' {@code TaskStats}
 * and by the starter's shutdown, the pool filter, the capacity bound and masking.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesEventsWebTests {

    private static final int CAPACITY = 8;

    private static ConfigurableApplicationContext context;

    private final FuturesEndpointWeb web = new FuturesEndpointWeb();

    @BeforeAll
    static void start() {
        context = start("futures.events.capacity=" + CAPACITY);
    }

    private static ConfigurableApplicationContext start(String... properties) {
        List<String> all = new ArrayList<>(List.of("management.endpoints.web.exposure.include=futures,futuresevents",
                "futures.thread.max-workers=2", "futures.executors.io.kind=thread", "futures.executors.io.max-workers=1",
                "futures.process.max-workers=1", "futures.process.validate-on-startup=false"));
        all.addAll(List.of(properties));
        return FuturesEndpointWeb.run(WebApplication.class, all.toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    private JsonNode events(String query) throws IOException, InterruptedException {
        HttpResponse<String> response = this.web.response(context, "/actuator/futuresevents" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return this.web.json(response).get("events");
    }

    private static ObservableExecutor pool(String name) {
        return context.getBean(name, ObservableExecutor.class);
    }

    private static List<String> details(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.get("detail").asString()));
        return out;
    }

    /** An event published through a real process pool's TaskStats is listed with its pool, type, pid and detail. */
    @Test
    void eventPublishedByAPoolIsListedWithItsPoolTypeAndPid() throws Exception {
        String tag = UUID.randomUUID().toString();
        pool("futuresProcessPool").taskStats().publish(PoolEvent.now(PoolEvent.Type.WORKER_STARTED, 123, null, "started " + tag));
        pool("futuresProcessPool").taskStats().publish(PoolEvent.now(PoolEvent.Type.WORKER_READY, 123, null, "ready " + tag));
        JsonNode events = events("?pool=futuresProcessPool");
        JsonNode last = events.get(events.size() - 1);
        JsonNode before = events.get(events.size() - 2);
        assertThat(before.get("type").asString()).isEqualTo("WORKER_STARTED");
        assertThat(last.get("type").asString()).isEqualTo("WORKER_READY");
        assertThat(last.get("pool").asString()).isEqualTo("futuresProcessPool");
        assertThat(last.get("pid").asLong()).isEqualTo(123);
        assertThat(last.get("detail").asString()).isEqualTo("ready " + tag);
        assertThat(last.get("time").asString()).isNotBlank();
    }

    /** The process pool's own events reach the endpoint: its first call starts a worker, WORKER_STARTED then WORKER_READY with its pid. */
    @Test
    void aRealWorkerStartIsListed() throws Exception {
        io.github.futures.ProcessPoolExecutor processes = context.getBean("futuresProcessPool", io.github.futures.ProcessPoolExecutor.class);
        long pid = processes.submit((io.github.futures.SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT);
        List<String> types = new ArrayList<>();
        events("?pool=futuresProcessPool").forEach(e -> {
            if (e.has("pid") && e.get("pid").asLong() == pid) {
                types.add(e.get("type").asString());
            }
        });
        assertThat(types).containsSubsequence("WORKER_STARTED", "WORKER_READY");
    }

    /** A worker started at refresh by the start-up check is listed too: the log listens from each pool's creation. */
    @Test
    void workerStartedAtRefreshIsListed() {
        try (ConfigurableApplicationContext started = start("futures.process.validate-on-startup=true")) {
            FuturesEventLog log = started.getBean(FuturesEventLog.class);
            assertThat(log.events().stream().filter(e -> e.pool().equals("futuresProcessPool")).map(e -> e.event().type()))
                    .containsSubsequence(PoolEvent.Type.WORKER_STARTED, PoolEvent.Type.WORKER_READY);
        }
    }

    /** The shutdown lifecycle's own events of one pool: what it waits for, and how the pool ended. */
    private static List<FuturesEventLog.Entry> lifecycleEvents(FuturesEventLog log, String pool) {
        return log.events().stream().filter(e -> e.pool().equals(pool)).filter(e -> {
            String d = e.event().detail();
            return d != null && (d.startsWith("waiting for") || d.startsWith("cancelled") || d.startsWith("ended after")
                    || d.startsWith("gave up after"));
        }).toList();
    }

    /** {@code ?pool=} keeps only that pool's events; without it every pool's are listed, newest last. */
    @Test
    void poolParameterFiltersTheEvents() throws Exception {
        String tag = UUID.randomUUID().toString();
        pool("io").taskStats().publish(PoolEvent.now(PoolEvent.Type.CALL_TIMED_OUT, -1, null, "io " + tag));
        pool("futuresThreadPool").taskStats().publish(PoolEvent.now(PoolEvent.Type.CALL_REJECTED, -1, null, "thread " + tag));
        JsonNode io = events("?pool=io");
        assertThat(io).allSatisfy(e -> assertThat(e.get("pool").asString()).isEqualTo("io"));
        assertThat(details(io)).contains("io " + tag).doesNotContain("thread " + tag);
        assertThat(io.get(io.size() - 1).has("pid")).as("a pool-wide event has no pid (null fields are omitted)").isFalse();
        List<String> all = details(events(""));
        assertThat(all).containsSubsequence("io " + tag, "thread " + tag);
        assertThat(details(events("?pool=nope"))).isEmpty();
    }

    /** Past the capacity the oldest events are dropped: the newest {@value #CAPACITY} remain, in order. */
    @Test
    void ringBufferKeepsOnlyTheNewestEventsUpToItsCapacity() throws Exception {
        String tag = UUID.randomUUID().toString();
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 3 * CAPACITY; i++) {
            published.add(tag + " " + i);
            pool("io").taskStats().publish(PoolEvent.now(PoolEvent.Type.WORKER_RETIRED, -1, "idle", tag + " " + i));
        }
        JsonNode all = events("");
        assertThat(all.size()).isEqualTo(CAPACITY);
        assertThat(details(all)).containsExactlyElementsOf(published.subList(published.size() - CAPACITY, published.size()));
    }

    /** A detail that quotes a command line has its secret-looking values masked, as the futures endpoint does. */
    @Test
    void secretsInADetailAreMasked() throws Exception {
        pool("io").taskStats().publish(PoolEvent.now(PoolEvent.Type.POOL_BROKEN, 77, "died",
                "worker java -Dapp.db.password=hunter2 -Xmx64m exited with code 137"));
        JsonNode events = events("?pool=io");
        String detail = events.get(events.size() - 1).get("detail").asString();
        assertThat(detail).contains("-Dapp.db.password=******", "-Xmx64m", "137").doesNotContain("hunter2");
    }

    /** The futures endpoint shows each pool's rejections, call timeouts, replacements by reason and last replacements. */
    @Test
    void futuresEndpointShowsRejectionsTimeoutsAndReplacements() throws Exception {
        JsonNode before = this.web.get(context, "futuresProcessPool");
        var stats = pool("futuresProcessPool").taskStats();
        stats.publish(PoolEvent.now(PoolEvent.Type.CALL_REJECTED, -1, null, "limit 10"));
        stats.publish(PoolEvent.now(PoolEvent.Type.CALL_TIMED_OUT, 41, null, "ran past 2s"));
        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_REPLACED, 41, "timeout", "worker 41 replaced"));
        stats.publish(PoolEvent.now(PoolEvent.Type.WORKER_REPLACED, 42, "memory",
                "worker 42 used 300MB, java -Dapp.db.password=hunter2"));
        JsonNode after = this.web.get(context, "futuresProcessPool");
        assertThat(after.get("rejected").asLong()).isEqualTo(before.get("rejected").asLong() + 1);
        assertThat(after.get("timedOut").asLong()).isEqualTo(before.get("timedOut").asLong() + 1);
        assertThat(after.get("replaced").get("memory").asLong()).isEqualTo(1);
        assertThat(after.get("replaced").get("timeout").asLong()).isEqualTo(1);
        JsonNode last = after.get("lastReplacements");
        assertThat(last.get(last.size() - 2).get("pid").asLong()).isEqualTo(41);
        assertThat(last.get(last.size() - 1).get("reason").asString()).isEqualTo("memory");
        assertThat(last.get(last.size() - 1).get("detail").asString()).contains("300MB", "******").doesNotContain("hunter2");
    }

    /**
     * The starter's shutdown publishes its phases: what it waits for, then that the pool ended; and,
     * when a pool outlasts the shutdown timeout, that it gave up.
     */
    @Test
    void shutdownPublishesWhatItWaitsForAndHowItEnded() throws Exception {
        ConfigurableApplicationContext closing = start("futures.shutdown.timeout=300ms", "futures.executors.io.max-workers=2");
        FuturesEventLog log = closing.getBean(FuturesEventLog.class);
        ThreadPoolExecutor io = closing.getBean("io", ThreadPoolExecutor.class);
        ThreadPoolExecutor threads = closing.getBean(ThreadPoolExecutor.class);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        // blocks until interrupted: the shutdown gives up on it after 300ms and interrupts it
        Future<Object> stuck = io.submit(() -> {
            running.countDown();
            never.await();
            return null;
        });
        assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        threads.submit(() -> {
            started.countDown();
            release.await();
            return null;
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(closing::close, r -> new Thread(r, "closer").start());
        release.countDown();
        closed.get(60, TimeUnit.SECONDS);
        assertThat(stuck.exception(WAIT)).isNotNull();
        // The pools publish their own SHUTDOWN_STARTED and TERMINATED (and worker events); these are the lifecycle's
        List<FuturesEventLog.Entry> ioEvents = lifecycleEvents(log, "io");
        assertThat(ioEvents).extracting(e -> e.event().type())
                .containsSubsequence(PoolEvent.Type.SHUTDOWN_STARTED, PoolEvent.Type.TERMINATED);
        assertThat(ioEvents.get(0).event().detail()).isEqualTo("waiting for 1 running and 0 pending calls (at most 300ms)");
        PoolEvent gaveUp = ioEvents.get(ioEvents.size() - 1).event();
        assertThat(gaveUp.reason()).isEqualTo("timeout");
        assertThat(gaveUp.detail()).startsWith("gave up after 300ms: abandoned 1 running");
        assertThat(log.events().stream().filter(e -> e.pool().equals("io")).map(e -> e.event().type()))
                .as("the pool's own events").contains(PoolEvent.Type.WORKER_STARTED, PoolEvent.Type.SHUTDOWN_STARTED);
        List<FuturesEventLog.Entry> threadEvents = lifecycleEvents(log, "futuresThreadPool");
        assertThat(threadEvents).extracting(e -> e.event().type())
                .containsExactly(PoolEvent.Type.SHUTDOWN_STARTED, PoolEvent.Type.TERMINATED);
        assertThat(threadEvents.get(1).event().reason()).isNull();
        assertThat(threadEvents.get(1).event().detail()).startsWith("ended after ");
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {
    }
}
