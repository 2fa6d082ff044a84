package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.ThreadPoolExecutor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A context whose refresh fails half-way, after an application bean already made a pool work (a cache warmed in
 * a constructor, a poller started), leaves no worker JVM and no call running: the failed context shuts its
 * pools down as a closing one does. The application's beans are created before the starter's, so the failure
 * comes before the starter's own beans exist.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(QuietOutput.class) // the start-up failures provoked here are expected, not printed
class FuturesHalfStartedContextTests {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** What the application's bean did before the context failed; kept here as an application would keep it. */
    static volatile ProcessPoolExecutor processPool;

    static volatile long workerPid;

    static volatile ThreadPoolExecutor threadPool;

    static volatile Future<String> poller;

    static final CountDownLatch pollerStarted = new CountDownLatch(1);

    static final CountDownLatch pollerEnded = new CountDownLatch(1);

    static final CountDownLatch releasePoller = new CountDownLatch(1);

    @AfterEach
    void cleanUp() {
        releasePoller.countDown();
        if (processPool != null) {
            processPool.killWorkers();
        }
        if (threadPool != null) {
            threadPool.shutdown(false, true);
        }
    }

    private static void startFailing(Class<?> configuration, String... properties) {
        assertThatException().isThrownBy(() -> new SpringApplicationBuilder(App.class, configuration)
                .web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off", "spring.main.log-startup-info=false").run().close())
                .withStackTraceContaining("refused to start");
    }

    /** A worker JVM started by an application bean ends when a later bean fails the context's refresh. */
    @Test
    void workerStartedBeforeTheRefreshFailedIsStopped() throws Exception {
        startFailing(UsesTheProcessPoolThenFails.class, "futures.thread.enabled=false",
                "futures.process.validate-on-startup=false", "futures.process.max-workers=1",
                "futures.shutdown.timeout=5s");
        assertThat(workerPid).isPositive();
        ProcessHandle worker = ProcessHandle.of(workerPid).orElse(null);
        if (worker != null) {
            try {
                worker.onExit().get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("worker pid " + workerPid + " still runs 30s after the context failed to start;"
                        + " its pool is " + processPool.snapshot().state(), e);
            }
        }
        assertThat(processPool.snapshot().state()).isEqualTo("shutdown");
    }

    /**
     * A call started by an application bean, which ends only when interrupted, is stopped by the pool's shutdown
     * timeout when a later bean fails the refresh: no thread of the failed context runs on.
     */
    @Test
    void callStartedBeforeTheRefreshFailedIsStoppedAtTheShutdownTimeout() throws Exception {
        startFailing(UsesTheThreadPoolThenFails.class, "futures.process.enabled=false", "futures.thread.max-workers=1",
                "futures.shutdown.timeout=500ms");
        assertThat(pollerEnded.await(30, TimeUnit.SECONDS))
                .as("the call started before the refresh failed has ended (pool state: %s)", threadPool.snapshot().state())
                .isTrue();
        assertThat(threadPool.snapshot().state()).isEqualTo("shutdown");
        assertThat(poller.done()).isTrue();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(FuturesAutoConfiguration.class)
    static class App {
    }

    /** Warms up on the process pool while it is created; the next bean then fails. */
    @Import(Failing.class)
    static class UsesTheProcessPoolThenFails {

        @Bean
        Object poolUser(ProcessPoolExecutor pool) {
            processPool = pool;
            workerPid = pool.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT);
            return new Object();
        }
    }

    /** Starts a poller on the thread pool while it is created; the next bean then fails. */
    @Import(Failing.class)
    static class UsesTheThreadPoolThenFails {

        @Bean
        Object poolUser(ThreadPoolExecutor pool) throws InterruptedException {
            threadPool = pool;
            poller = pool.submit(() -> {
                pollerStarted.countDown();
                try {
                    releasePoller.await();
                    return "released";
                } finally {
                    pollerEnded.countDown();
                }
            });
            assertThat(pollerStarted.await(30, TimeUnit.SECONDS)).isTrue();
            return new Object();
        }
    }

    /** Fails the refresh, after the pool's user. */
    static class Failing {

        @Bean
        Object failing(@Qualifier("poolUser") Object poolUser) {
            throw new IllegalStateException("this bean refused to start");
        }
    }
}
