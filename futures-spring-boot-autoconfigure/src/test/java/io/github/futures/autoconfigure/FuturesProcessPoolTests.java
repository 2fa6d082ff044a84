package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.autoconfigure.actuate.FuturesEndpoint;
import io.github.futures.autoconfigure.actuate.FuturesEndpointAutoConfiguration;
import io.github.futures.autoconfigure.actuate.FuturesHealthContributorAutoConfiguration;
import io.github.futures.autoconfigure.metrics.FuturesMetricsAutoConfiguration;
import io.github.futures.process.WorkerProcess;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

/** The process pool bean with real worker JVMs: properties, shutdown timeout, meters, endpoint and health. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FuturesProcessPoolTests {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesMetricsAutoConfiguration.class,
                    FuturesEndpointAutoConfiguration.class, FuturesHealthContributorAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class)
            .withPropertyValues("futures.thread.enabled=false", "futures.process.max-workers=1",
                    "management.endpoints.web.exposure.include=futures");

    /** Runs in the worker JVM: its process id. */
    private static long workerPid(ProcessPoolExecutor pool) {
        return pool.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(WAIT);
    }

    /** Submits a call that never ends on its own. */
    private static Future<Object> never(ProcessPoolExecutor pool) {
        return pool.submit((SerializableCallable<Object>) () -> {
            Thread.sleep(Long.MAX_VALUE);
            return null;
        });
    }

    private static Health health(ApplicationContext context) {
        return context.getBean(FuturesHealthContributorAutoConfiguration.HEALTH_INDICATOR_BEAN_NAME, HealthIndicator.class)
                .health(true);
    }

    /**
     * With prestart, every worker of the default and of a named process pool is started at context refresh,
     * before any call; without it (and without the start-up check) none is.
     */
    @Test
    void prestartStartsEveryWorkerAtRefreshAndNoneWithout() {
        this.contextRunner.withPropertyValues("futures.process.validate-on-startup=false", "futures.process.max-workers=2",
                "futures.process.prestart=true", "futures.executors.batch.kind=process",
                "futures.executors.batch.max-workers=3", "futures.executors.batch.validate-on-startup=false",
                "futures.executors.batch.prestart=true", "futures.executors.quiet.kind=process",
                "futures.executors.quiet.validate-on-startup=false").run(context -> {
                    assertThat(context.getBean("futuresProcessPool", ProcessPoolExecutor.class).snapshot().workersStarted())
                            .isEqualTo(2);
                    assertThat(context.getBean("batch", ProcessPoolExecutor.class).snapshot().workersStarted()).isEqualTo(3);
                    assertThat(context.getBean("quiet", ProcessPoolExecutor.class).snapshot().workersStarted()).isZero();
                });
    }

    /**
     * The default and a named process pool are named after their beans, as the thread pools are: the threads
     * that serve them and the lines their workers print carry the bean name.
     */
    @Test
    void processPoolsThreadsAndWorkerLinesCarryTheBeanName() throws InterruptedException {
        String marker = "bean-named-" + System.nanoTime();
        CountDownLatch forwarded = new CountDownLatch(2);
        List<String> lines = new CopyOnWriteArrayList<>();
        PrintStream original = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b != '\n') {
                    line.write(b);
                    return;
                }
                String l = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (l.contains(marker)) {
                    lines.add(l);
                    forwarded.countDown();
                }
            }
        }, true, StandardCharsets.UTF_8));
        try {
            this.contextRunner.withPropertyValues("futures.process.validate-on-startup=false",
                    "futures.executors.batch.kind=process", "futures.executors.batch.max-workers=1",
                    "futures.executors.batch.validate-on-startup=false").run(context -> {
                        long defaultPid = printing(context.getBean("futuresProcessPool", ProcessPoolExecutor.class), marker);
                        long batchPid = printing(context.getBean("batch", ProcessPoolExecutor.class), marker);
                        assertThat(forwarded.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("both workers' lines").isTrue();
                        assertThat(lines).containsExactlyInAnyOrder("[futuresProcessPool worker " + defaultPid + "] " + marker,
                                "[batch worker " + batchPid + "] " + marker);
                        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                                .contains("futuresProcessPool-worker-0", "batch-worker-0", "batch-worker-0-stderr");
                        assertThat(context.getBean(FuturesEndpoint.class).executor("batch").config())
                                .containsEntry("threadNamePrefix", "batch");
                    });
        } finally {
            System.setErr(original);
        }
    }

    /** Prints {@code marker} in a worker of {@code pool}; returns the worker's pid. */
    private static long printing(ProcessPoolExecutor pool, String marker) {
        return pool.submit((SerializableCallable<Long>) () -> {
            System.out.println(marker);
            return ProcessHandle.current().pid();
        }).result(WAIT);
    }

    @Test
    void processPropertiesReachThePoolAndSecretsAreMaskedInTheEndpoint() {
        this.contextRunner.withPropertyValues("futures.process.max-tasks-per-child=5",
                "futures.process.jvm-args=-Xmx64m,-Dapp.mode=test,-Dapp.db.password=hunter2")
                .run(context -> {
                    ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
                    assertThat(pool.submit((SerializableCallable<String>) () -> System.getProperty("app.mode")).result(WAIT))
                            .isEqualTo("test");
                    Map<String, Object> config = pool.snapshot().config();
                    assertThat(config).containsEntry("maxTasksPerChild", 5).containsEntry("maxWorkers", 1);
                    assertThat(Untyped.strings(config.get("jvmOptions"))).contains("-Xmx64m", "-Dapp.db.password=hunter2");
                    FuturesEndpoint.ExecutorDescriptor descriptor = context.getBean(FuturesEndpoint.class)
                            .executor(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME);
                    assertThat(descriptor.kind()).isEqualTo("process");
                    assertThat(Untyped.strings(descriptor.config().get("jvmOptions"))).contains("-Dapp.mode=test",
                            "-Dapp.db.password=******").doesNotContain("-Dapp.db.password=hunter2");
                    assertThat(descriptor.workers()).singleElement().satisfies(worker -> {
                        assertThat(worker.pid()).isPositive();
                        assertThat(worker.tasksCompleted()).isEqualTo(2); // the start-up check's call, then ours
                        assertThat(worker.uptimeMillis()).isNotNegative();
                    });
                });
    }

    /** The environment, java executable and fast-start switch set by properties are those of the worker JVM. */
    @Test
    void environmentAndJavaExecutableReachTheWorker() {
        String java = System.getProperty("java.home") + "/bin/java";
        this.contextRunner.withPropertyValues("futures.process.environment.APP_MODE=batch",
                "futures.process.java-executable=" + java, "futures.process.fast-startup-options=false")
                .run(context -> {
                    ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
                    assertThat(pool.submit((SerializableCallable<String>) () -> System.getenv("APP_MODE")).result(WAIT))
                            .isEqualTo("batch");
                    assertThat(pool.submit((SerializableCallable<String>) () -> ProcessHandle.current().info().command()
                            .orElse("")).result(WAIT)).startsWith(System.getProperty("java.home"));
                    assertThat(pool.workerCommand()).doesNotContain("-XX:TieredStopAtLevel=1");
                });
    }

    @Test
    void timeoutEndsAWorkerRunningACallThatNeverEnds() {
        this.contextRunner.withPropertyValues("futures.shutdown.timeout=300ms").run(context -> {
            ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
            long pid = workerPid(pool);
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
            Future<Object> stuck = never(pool);
            CompletableFuture.runAsync(context::close).get(60, TimeUnit.SECONDS);
            worker.onExit().get(60, TimeUnit.SECONDS);
            assertThat(worker.isAlive()).isFalse();
            assertThat(stuck.exception(WAIT)).isNotNull();
        });
    }

    /** Sends {@code signal} to the process {@code pid} with the {@code kill} command. */
    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /**
     * A worker that does not answer SIGTERM is killed after the grace period, and close still
     * completes. The worker is a hung JVM, simulated by stopping it (SIGSTOP): a stopped process
     * neither acts on SIGTERM nor sees its standard input close, and only SIGKILL ends it. (A live
     * worker cannot ignore termination: {@code Process.destroy()} also closes the pipes, and the
     * worker halts when it sees its standard input end, shutdown hooks or not.)
     */
    @Test
    @EnabledOnOs({ OS.LINUX, OS.MAC })
    @ExtendWith(OutputCaptureExtension.class)
    void timeoutTerminatesThenKillsAWorkerThatDoesNotAnswerTermination(CapturedOutput output) {
        this.contextRunner.withPropertyValues("futures.shutdown.timeout=300ms").run(context -> {
            ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
            long pid = workerPid(pool);
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
            try {
                Future<Object> stuck = never(pool);
                signal("STOP", pid);
                CompletableFuture.runAsync(context::close).get(60, TimeUnit.SECONDS);
                worker.onExit().get(60, TimeUnit.SECONDS);
                assertThat(worker.isAlive()).isFalse();
                assertThat(stuck.exception(WAIT)).isInstanceOf(BrokenProcessPool.class);
                assertThat(output).contains("Pool 'futuresProcessPool' was still busy 300ms after shutdown began")
                        .contains("cancelled the pending calls and aborted the running ones; the pool has ended.");
            } finally {
                worker.destroyForcibly(); // a failed test leaves no stopped JVM behind
            }
        });
    }

    @Test
    void workersAndBrokenGaugesAndHealthFollowAKilledWorker() {
        this.contextRunner.run(context -> {
            ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            String name = FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME;
            long pid = workerPid(pool);
            assertThat(registry.get("futures.executor.workers").tag("name", name).tag("kind", "process").gauge().value()).isEqualTo(1);
            assertThat(registry.get("futures.executor.workers.started").tag("name", name).functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("futures.executor.broken").tag("name", name).gauge().value()).isZero();
            assertThat(health(context).getStatus()).isEqualTo(Status.UP);

            Future<Object> running = never(pool);
            List<Thread> readers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t instanceof WorkerProcess.ReaderThread && t.getName().startsWith(name + "-worker-"))
                    .toList();
            assertThat(readers).as("the worker's reader thread").hasSize(1);
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
            assertThat(worker.destroyForcibly()).isTrue();
            assertThat(running.exception(WAIT)).isInstanceOf(BrokenProcessPool.class);
            worker.onExit().get(60, TimeUnit.SECONDS);
            // The future fails before the pool lets go of the dead worker; its reader thread ends after.
            for (Thread reader : readers) {
                reader.join(WAIT.toMillis());
                assertThat(reader.isAlive()).as("reader %s ended", reader.getName()).isFalse();
            }

            assertThat(registry.get("futures.executor.broken").tag("name", name).gauge().value()).isEqualTo(1);
            assertThat(registry.get("futures.executor.workers").tag("name", name).gauge().value()).isZero();
            assertThat(registry.get("futures.executor.futures.completed").tag("name", name).tag("outcome", "failure")
                    .functionCounter().count()).isEqualTo(1);
            Health health = health(context);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            Map<String, Object> details = Untyped.map(health.getDetails().get(name));
            assertThat(details).containsEntry("state", "broken");
            assertThat((String) details.get("reason")).contains(Long.toString(pid));
        });
        // a fresh context has a fresh pool
        this.contextRunner.run(context -> assertThat(health(context).getStatus()).isEqualTo(Status.UP));
    }
}
