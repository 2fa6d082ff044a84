package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.TimeoutError;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The properties of call timeouts, pending limits, worker death, recycling and virtual threads reach the pools. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FuturesMisbehavingCallsPropertiesTests {

    private static final boolean VIRTUAL_THREADS = Runtime.version().feature() >= 21;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
            .withPropertyValues("futures.process.validate-on-startup=false");

    /** The default thread pool takes call-timeout and max-pending, and a call past the timeout fails with TimeoutError. */
    @Test
    void threadPoolCallTimeoutAndMaxPendingAreApplied() {
        this.contextRunner.withPropertyValues("futures.thread.call-timeout=300ms", "futures.thread.max-pending=2",
                "futures.thread.max-workers=1").run(context -> {
                    ThreadPoolExecutor threads = context.getBean(ThreadPoolExecutor.class);
                    Map<String, Object> config = threads.snapshot().config();
                    assertThat(config).containsEntry("callTimeout", "300ms").containsEntry("maxPending", 2);
                    Future<Object> slow = threads.submit(() -> {
                        Thread.sleep(60_000);
                        return null;
                    });
                    assertThatThrownBy(() -> slow.result(Duration.ofSeconds(30))).isInstanceOf(TimeoutError.class)
                            .hasMessageContaining("call exceeded its call timeout of 300ms");
                    CountDownLatch started = new CountDownLatch(1);
                    CountDownLatch release = new CountDownLatch(1);
                    threads.submit(() -> {
                        started.countDown();
                        return release.await(30, TimeUnit.SECONDS);
                    });
                    try {
                        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue(); // the one worker is busy
                        threads.submit(() -> 1);
                        threads.submit(() -> 2);
                        assertThatThrownBy(() -> threads.submit(() -> 3)).isInstanceOf(RejectedExecutionException.class)
                                .hasMessageContaining("maxPending").hasMessageContaining("max-pending");
                    } finally {
                        release.countDown();
                    }
                });
    }

    /** The default process pool takes every option of a misbehaving call, with the policy written in kebab case. */
    @Test
    void processPoolRecoveryOptionsAreApplied() {
        this.contextRunner.withPropertyValues("futures.process.call-timeout=2s", "futures.process.max-pending=50",
                "futures.process.on-worker-death=replace-worker", "futures.process.max-worker-memory=256MB",
                "futures.process.idle-timeout=1m", "futures.process.min-workers=1").run(context -> {
                    Map<String, Object> config = context.getBean(ProcessPoolExecutor.class).snapshot().config();
                    assertThat(config).containsEntry("callTimeout", "2s").containsEntry("maxPending", 50)
                            .containsEntry("onWorkerDeath", "REPLACE_WORKER")
                            .containsEntry("maxWorkerMemory", 256L * 1024 * 1024)
                            .containsEntry("idleTimeout", "60s").containsEntry("minWorkers", 1);
                });
    }

    /** futures.process.startup-archive.enabled and .directory reach the pool. */
    @Test
    void startupArchivePropertiesAreApplied(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        this.contextRunner.withPropertyValues("futures.process.startup-archive.enabled=false",
                "futures.process.startup-archive.directory=" + dir).run(context ->
                        assertThat(context.getBean(ProcessPoolExecutor.class).snapshot().config())
                                .containsEntry("startupArchive", false));
        this.contextRunner.run(context ->
                assertThat(context.getBean(ProcessPoolExecutor.class).snapshot().config())
                        .containsEntry("startupArchive", true));
    }

    /** Without the properties the pools keep CPython's defaults. */
    @Test
    void withoutPropertiesThePoolsKeepCPythonsDefaults() {
        this.contextRunner.run(context -> {
            assertThat(context.getBean(ThreadPoolExecutor.class).snapshot().config())
                    .containsEntry("callTimeout", "none").containsEntry("maxPending", "unbounded")
                    .containsEntry("virtualThreads", false);
            assertThat(context.getBean(ProcessPoolExecutor.class).snapshot().config())
                    .containsEntry("callTimeout", "none").containsEntry("onWorkerDeath", "BREAK_POOL")
                    .containsEntry("minWorkers", 0).containsEntry("maxPending", "unbounded");
        });
    }

    /** Named pools of both kinds take the same options under futures.executors.<name>. */
    @Test
    void namedPoolsTakeTheSameOptions() {
        this.contextRunner.withPropertyValues("futures.executors.io.kind=thread", "futures.executors.io.call-timeout=5s",
                "futures.executors.io.max-pending=7", "futures.executors.batch.kind=process",
                "futures.executors.batch.on-worker-death=replace-worker", "futures.executors.batch.max-pending=3",
                "futures.executors.batch.validate-on-startup=false").run(context -> {
                    assertThat(context.getBean("io", ThreadPoolExecutor.class).snapshot().config())
                            .containsEntry("callTimeout", "5s").containsEntry("maxPending", 7);
                    assertThat(context.getBean("batch", ProcessPoolExecutor.class).snapshot().config())
                            .containsEntry("onWorkerDeath", "REPLACE_WORKER").containsEntry("maxPending", 3);
                });
    }

    /** A zero call timeout, a zero pending limit or a negative min-workers fails start-up naming the property. */
    @Test
    void badValuesFailStartUpNamingTheProperty() {
        this.contextRunner.withPropertyValues("futures.thread.call-timeout=0s").run(context ->
                assertThat(context).getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("futures.thread.call-timeout"));
        this.contextRunner.withPropertyValues("futures.process.max-pending=0").run(context ->
                assertThat(context).getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("futures.process.max-pending"));
        this.contextRunner.withPropertyValues("futures.process.min-workers=-1").run(context ->
                assertThat(context).getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("futures.process.min-workers"));
        this.contextRunner.withPropertyValues("futures.process.on-worker-death=sometimes").run(context ->
                assertThat(context).getFailure().hasStackTraceContaining("futures.process.on-worker-death"));
    }

    /** spring.threads.virtual.enabled makes the default pool virtual on JDK 21+, unless futures.thread.virtual=false; on 17 it is ignored, as Boot does. */
    @Test
    void springVirtualThreadsSwitchMakesTheDefaultPoolVirtual() {
        this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true").run(context ->
                assertThat(context.getBean(ThreadPoolExecutor.class).snapshot().config())
                        .containsEntry("virtualThreads", VIRTUAL_THREADS));
        this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true", "futures.thread.virtual=false").run(context ->
                assertThat(context.getBean(ThreadPoolExecutor.class).snapshot().config())
                        .containsEntry("virtualThreads", false));
    }

    /** futures.thread.virtual=true runs calls on virtual threads on JDK 21+, and fails start-up naming the property on 17. */
    @Test
    void explicitVirtualThreadsNeedJdk21() {
        this.contextRunner.withPropertyValues("futures.thread.virtual=true").run(context -> {
            if (VIRTUAL_THREADS) {
                ThreadPoolExecutor threads = context.getBean(ThreadPoolExecutor.class);
                assertThat(threads.submit(() -> Thread.currentThread().toString()).result(Duration.ofSeconds(30)))
                        .contains("VirtualThread");
            } else {
                assertThat(context).getFailure().rootCause().isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("futures.thread.virtual").hasMessageContaining("JDK 21");
            }
        });
    }
}
