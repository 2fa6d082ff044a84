package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/** Tests for {@link FuturesAutoConfiguration}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, TaskExecutionAutoConfiguration.class));

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static String threadNameOf(io.github.futures.Executor pool) {
        return pool.submit(() -> Thread.currentThread().getName()).result(WAIT);
    }

    @Test
    void defaultPoolsAreCreatedWithTheCoreDefaults() {
        this.contextRunner.run(context -> {
            assertThat(context).hasSingleBean(ThreadPoolExecutor.class).hasSingleBean(ProcessPoolExecutor.class);
            ThreadPoolExecutor threads = context.getBean(FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME, ThreadPoolExecutor.class);
            ProcessPoolExecutor processes = context.getBean(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME, ProcessPoolExecutor.class);
            int cpus = Runtime.getRuntime().availableProcessors();
            assertThat(threads.maxWorkers()).isEqualTo(cpus * 5);
            assertThat(threads.threadNamePrefix()).isEqualTo("futures-thread");
            assertThat(threadNameOf(threads)).isEqualTo("futures-thread_0");
            assertThat(processes.maxWorkers()).isEqualTo(cpus);
            // validate-on-startup: one worker started and answered at refresh
            assertThat(processes.snapshot().workersStarted()).isEqualTo(1);
        });
    }

    @Test
    void threadPropertiesAreApplied() {
        this.contextRunner.withPropertyValues("futures.thread.max-workers=3", "futures.thread.thread-name-prefix=work")
                .run(context -> {
                    ThreadPoolExecutor threads = context.getBean(ThreadPoolExecutor.class);
                    assertThat(threads.maxWorkers()).isEqualTo(3);
                    assertThat(threadNameOf(threads)).isEqualTo("work_0");
                });
    }

    @Test
    void processPropertiesAreApplied() {
        this.contextRunner.withPropertyValues("futures.process.max-workers=2", "futures.process.max-tasks-per-child=5",
                "futures.process.jvm-args=-Xmx64m,-Dapp.mode=test", "futures.process.validate-on-startup=false")
                .run(context -> {
                    ProcessPoolExecutor processes = context.getBean(ProcessPoolExecutor.class);
                    assertThat(processes.maxWorkers()).isEqualTo(2);
                    // read from the pool itself; no worker has started
                    java.util.Map<String, Object> config = processes.snapshot().config();
                    assertThat(config).containsEntry("maxTasksPerChild", 5);
                    assertThat(Untyped.strings(config.get("jvmOptions"))).containsSubsequence("-Xmx64m", "-Dapp.mode=test");
                    assertThat(processes.snapshot().workersStarted()).isZero();
                });
    }

    /** Every ProcessPoolExecutor.Builder option a property can carry reaches the default process pool. */
    @Test
    void everyProcessBuilderOptionIsAPropertyOfTheDefaultPool() {
        String javaPath = System.getProperty("java.home") + "/bin/java";
        this.contextRunner.withPropertyValues("futures.process.validate-on-startup=false",
                "futures.process.java-executable=" + javaPath, "futures.process.environment.APP_MODE=batch",
                "futures.process.serial-filter=java.**;io.github.**;!*", "futures.process.max-message-size=2MB",
                "futures.process.fast-startup-options=false", "futures.process.class-path=/opt/app/classes")
                .run(context -> {
                    ProcessPoolExecutor processes = context.getBean(ProcessPoolExecutor.class);
                    java.util.Map<String, Object> config = processes.snapshot().config();
                    assertThat(config).containsEntry("javaExecutable", javaPath)
                            .containsEntry("environment", java.util.List.of("APP_MODE"))
                            .containsEntry("serialFilter", "java.**;io.github.**;!*")
                            .containsEntry("maxMessageSize", 2 * 1024 * 1024);
                    assertThat(Untyped.strings(config.get("jvmOptions"))).doesNotContain("-XX:TieredStopAtLevel=1");
                    assertThat(processes.workerCommand()).contains("/opt/app/classes");
                });
    }

    /** A named process pool takes the same options as the default one, under its own prefix. */
    @Test
    void everyProcessBuilderOptionIsAPropertyOfANamedPool() {
        this.contextRunner.withPropertyValues("futures.process.enabled=false", "futures.executors.reports.kind=process",
                "futures.executors.reports.validate-on-startup=false", "futures.executors.reports.environment.REPORTS=1",
                "futures.executors.reports.serial-filter=java.**;!*", "futures.executors.reports.max-message-size=64KB",
                "futures.executors.reports.jvm-args=-Xmx64m")
                .run(context -> {
                    java.util.Map<String, Object> config = context.getBean("reports", ProcessPoolExecutor.class).snapshot().config();
                    assertThat(config).containsEntry("environment", java.util.List.of("REPORTS"))
                            .containsEntry("serialFilter", "java.**;!*")
                            .containsEntry("maxMessageSize", 64 * 1024);
                    assertThat(Untyped.strings(config.get("jvmOptions"))).contains("-XX:TieredStopAtLevel=1", "-Xmx64m");
                });
    }

    /** The generated metadata carries constant defaults as values, hints for a named pool's kind, and the health switch. */
    @Test
    void configurationMetadataCarriesDefaultsHintsAndTheHealthSwitch() throws Exception {
        java.util.Map<String, java.util.Map<String, Object>> properties = new java.util.HashMap<>();
        java.util.List<Object> hints;
        {
            java.util.Map<String, Object> metadata = org.springframework.boot.json.JsonParserFactory.getJsonParser()
                    .parseMap(starterMetadata());
            for (Object property : (java.util.List<?>) metadata.get("properties")) {
                java.util.Map<String, Object> map = Untyped.map(property);
                properties.put((String) map.get("name"), map);
            }
            hints = Untyped.list(metadata.get("hints"));
        }
        assertThat(properties.get("futures.process.max-message-size")).containsEntry("defaultValue", "128MB");
        assertThat(properties.get("futures.process.fast-startup-options")).containsEntry("defaultValue", true);
        assertThat(properties.get("futures.shutdown.timeout")).containsEntry("defaultValue", "30s");
        assertThat(properties.get("futures.process.validate-on-startup")).containsEntry("defaultValue", true);
        assertThat(properties.get("futures.thread.thread-name-prefix")).containsEntry("defaultValue", "futures-thread");
        assertThat(properties).containsKeys("futures.process.java-executable", "futures.process.environment",
                "futures.process.serial-filter", "futures.process.class-path");
        // computed defaults stay in the description
        assertThat(properties.get("futures.process.max-workers")).doesNotContainKey("defaultValue");
        assertThat((String) properties.get("futures.process.max-workers").get("description")).contains("available processor");
        // unset, the cluster name is the per-user default (a secret), not the literal "futures"
        assertThat(properties.get("futures.cluster.name")).doesNotContainKey("defaultValue");
        assertThat((String) properties.get("futures.cluster.name").get("description")).contains("secret of this user's");
        assertThat(properties.get("management.health.futures.enabled")).containsEntry("defaultValue", true);
        assertThat(properties.get("futures.events.capacity")).containsEntry("defaultValue", 256);
        assertThat(properties.get("futures.web.errors.enabled")).containsEntry("defaultValue", false);
        assertThat(properties.get("futures.web.errors.retry-after")).containsEntry("defaultValue", "5s");
        assertThat(properties.get("futures.health.liveness")).containsEntry("defaultValue", false);
        assertThat(properties.get("futures.shutdown.log-interval")).containsEntry("defaultValue", "5s");
        assertThat(hints).anySatisfy(hint -> assertThat(Untyped.map(hint))
                .containsEntry("name", "futures.executors.values.kind")
                .extractingByKey("values").asString().contains("thread").contains("process"));
    }

    @Test
    void shutdownAndSwitchPropertiesAreBound() {
        this.contextRunner.withPropertyValues("futures.shutdown.wait=false", "futures.shutdown.cancel-futures=true",
                "futures.shutdown.timeout=7s", "futures.metrics.enabled=false")
                .run(context -> {
                    FuturesProperties properties = context.getBean(FuturesProperties.class);
                    assertThat(properties.getShutdown().isWait()).isFalse();
                    assertThat(properties.getShutdown().isCancelFutures()).isTrue();
                    assertThat(properties.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(properties.getMetrics().isEnabled()).isFalse();
                    assertThat(context).hasSingleBean(FuturesShutdownLifecycle.class);
                });
    }

    @Test
    void customizersAdjustTheBuildersInOrder() {
        this.contextRunner.withUserConfiguration(CustomizerConfiguration.class)
                .withPropertyValues("futures.thread.max-workers=3", "futures.executors.io.kind=thread")
                .run(context -> {
                    ThreadPoolExecutor threads = context.getBean(ThreadPoolExecutor.class);
                    // 'first' set 5 and 'second' (later) set the prefix; both override the properties
                    assertThat(threads.maxWorkers()).isEqualTo(5);
                    assertThat(threadNameOf(threads)).isEqualTo("second_0");
                    assertThat(context.getBean("io", ThreadPoolExecutor.class).maxWorkers()).isEqualTo(5);
                    assertThat(context.getBean(ProcessPoolExecutor.class).maxWorkers()).isEqualTo(1);
                });
    }

    @Test
    void whenDisabledNothingIsCreated() {
        this.contextRunner.withPropertyValues("futures.enabled=false", "futures.executors.io.kind=thread")
                .run(context -> assertThat(context).doesNotHaveBean(ThreadPoolExecutor.class)
                        .doesNotHaveBean(ProcessPoolExecutor.class)
                        .doesNotHaveBean("io")
                        .doesNotHaveBean(FuturesShutdownLifecycle.class)
                        .doesNotHaveBean(FuturesTaskExecutor.class)
                        .doesNotHaveBean(FuturesExecutorConfigurations.FuturesAsyncConfigurer.class)
                        // Spring Boot's own executor is back
                        .hasSingleBean(ThreadPoolTaskExecutor.class));
    }

    @Test
    void whenThreadPoolDisabledOnlyTheProcessPoolIsCreated() {
        this.contextRunner.withPropertyValues("futures.thread.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ThreadPoolExecutor.class)
                        .doesNotHaveBean(FuturesTaskExecutor.class)
                        .hasSingleBean(ProcessPoolExecutor.class));
    }

    @Test
    void whenProcessPoolDisabledOnlyTheThreadPoolIsCreated() {
        this.contextRunner.withPropertyValues("futures.process.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ProcessPoolExecutor.class)
                        .hasSingleBean(ThreadPoolExecutor.class));
    }

    @Test
    void threadPoolWhenHasCustomThreadPoolShouldBackOff() {
        this.contextRunner.withUserConfiguration(CustomPoolsConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(ThreadPoolExecutor.class).hasSingleBean(ProcessPoolExecutor.class)
                    .doesNotHaveBean(FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME)
                    .doesNotHaveBean(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME);
            ThreadPoolExecutor mine = context.getBean("myThreads", ThreadPoolExecutor.class);
            // @Async and MVC then run on the application's own pool
            assertThat(context.getBean(FuturesTaskExecutor.class).getPool()).isSameAs(mine);
        });
    }

    @Test
    void namedPoolsAreAdditionalQualifiedBeans() {
        this.contextRunner.withUserConfiguration(NamedPoolConsumer.class)
                .withPropertyValues("futures.executors.io.kind=thread", "futures.executors.io.max-workers=7",
                        "futures.executors.reports.kind=process", "futures.executors.reports.max-workers=2",
                        "futures.executors.reports.max-tasks-per-child=10", "futures.executors.reports.jvm-args=-Xmx32m",
                        "futures.executors.named.kind=thread", "futures.executors.named.thread-name-prefix=custom")
                .run(context -> {
                    // the defaults stay, and plain injection by type still gets them
                    assertThat(context).hasBean(FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME)
                            .hasBean(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME);
                    assertThat(context.getBean(ThreadPoolExecutor.class))
                            .isSameAs(context.getBean(FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME));
                    assertThat(context.getBean(ProcessPoolExecutor.class))
                            .isSameAs(context.getBean(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME));
                    ThreadPoolExecutor io = context.getBean("io", ThreadPoolExecutor.class);
                    assertThat(io.maxWorkers()).isEqualTo(7);
                    assertThat(threadNameOf(io)).isEqualTo("io_0");
                    assertThat(threadNameOf(context.getBean("named", ThreadPoolExecutor.class))).isEqualTo("custom_0");
                    ProcessPoolExecutor reports = context.getBean("reports", ProcessPoolExecutor.class);
                    assertThat(reports.maxWorkers()).isEqualTo(2);
                    assertThat(reports.snapshot().config()).containsEntry("maxTasksPerChild", 10);
                    assertThat(Untyped.strings(reports.snapshot().config().get("jvmOptions"))).contains("-Xmx32m");
                    NamedPoolConsumer consumer = context.getBean(NamedPoolConsumer.class);
                    assertThat(consumer.io).isSameAs(io);
                    assertThat(consumer.reports).isSameAs(context.getBean("reports"));
                    // Spring Boot's own executor still backs off for the defaults, not for the named pools
                    assertThat(context).doesNotHaveBean(ThreadPoolTaskExecutor.class);
                });
    }

    @Test
    void namedPoolsDoNotMakeTheDefaultsOrBootsExecutorBackOff() {
        this.contextRunner.withPropertyValues("futures.thread.enabled=false", "futures.process.enabled=false",
                "futures.executors.io.kind=thread")
                .run(context -> {
                    assertThat(context).hasBean("io");
                    // with no default pool, Spring Boot's application task executor is created as usual
                    assertThat(context.getBean(TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME))
                            .isInstanceOf(ThreadPoolTaskExecutor.class);
                });
    }

    @Test
    void applicationTaskExecutorIsOursAndBootsBacksOff() {
        this.contextRunner.run(context -> {
            assertThat(context).doesNotHaveBean(ThreadPoolTaskExecutor.class).hasSingleBean(AsyncTaskExecutor.class);
            Object executor = context.getBean(TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME);
            assertThat(executor).isInstanceOf(FuturesTaskExecutor.class);
            assertThat(((FuturesTaskExecutor) executor).getPool()).isSameAs(context.getBean(ThreadPoolExecutor.class));
            assertThat(context).hasSingleBean(AsyncConfigurer.class);
            assertThat(context.getBean(AsyncConfigurer.class).getAsyncExecutor()).isSameAs(executor);
        });
    }

    @Test
    void whenAsyncDisabledTheThreadPoolIsNotTheApplicationTaskExecutor() {
        this.contextRunner.withPropertyValues("futures.async.enabled=false").run(context -> {
            assertThat(context).hasSingleBean(ThreadPoolExecutor.class).doesNotHaveBean(FuturesTaskExecutor.class);
            assertThat(context.getBeansOfType(AsyncConfigurer.class)).isEmpty();
        });
    }

    @Test
    void asyncConfigurerWhenApplicationHasOneShouldBackOffAndKeepItsChoices() {
        this.contextRunner.withUserConfiguration(UserAsyncConfigurer.class).run(context -> {
            // the application's own bean, neither replaced nor wrapped; ours backs off
            AsyncConfigurer configurer = context.getBean(AsyncConfigurer.class);
            assertThat(configurer).isSameAs(context.getBean(UserAsyncConfigurer.class));
            assertThat(configurer.getAsyncUncaughtExceptionHandler()).isSameAs(UserAsyncConfigurer.HANDLER);
            assertThat(configurer.getAsyncExecutor()).isNull();
            // the application task executor is still ours, for Spring to fall back on
            assertThat(context).hasSingleBean(FuturesTaskExecutor.class);
        });
    }

    @Test
    void taskDecoratorDecoratesTasksSubmittedThroughSpringsInterfaces() {
        this.contextRunner.withUserConfiguration(DecoratorConfiguration.class).run(context -> {
            AsyncTaskExecutor executor = context.getBean(AsyncTaskExecutor.class);
            assertThat(executor.submit(() -> DecoratorConfiguration.CONTEXT.get()).get(30, TimeUnit.SECONDS))
                    .isEqualTo("decorated");
            assertThat(executor.submitCompletable(() -> DecoratorConfiguration.CONTEXT.get()).get(30, TimeUnit.SECONDS))
                    .isEqualTo("decorated");
            // a failing call keeps its exception through the decoration
            java.util.concurrent.Future<Object> failing = executor.submit(() -> {
                throw new java.io.IOException("boom");
            });
            assertThat(((io.github.futures.Future<Object>) failing).exception(WAIT))
                    .isInstanceOf(java.io.IOException.class).hasMessage("boom");
        });
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void failureOfATaskGivenToExecuteIsLoggedNotLost(org.springframework.boot.test.system.CapturedOutput output) {
        this.contextRunner.withPropertyValues("futures.thread.max-workers=1").run(context -> {
            AsyncTaskExecutor executor = context.getBean(AsyncTaskExecutor.class);
            java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
            executor.execute(() -> {
                ran.countDown();
                throw new IllegalStateException("lost-or-logged");
            });
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
            // one worker: it finished completing the first call (callbacks included) before it ran the second
            assertThat(executor.submit(() -> 1).get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(output).contains("Task submitted through execute() failed").contains("lost-or-logged");
        });
    }

    @Test
    void badMaxWorkersFailsNamingTheProperty() {
        assertFailsNaming("futures.thread.max-workers", "futures.thread.max-workers=0");
        assertFailsNaming("futures.process.max-workers", "futures.process.max-workers=-1");
        assertFailsNaming("futures.process.max-tasks-per-child", "futures.process.max-tasks-per-child=0");
        assertFailsNaming("futures.executors.io.max-workers", "futures.executors.io.kind=thread",
                "futures.executors.io.max-workers=0");
    }

    @Test
    void negativeTimeoutFailsNamingTheProperty() {
        assertFailsNaming("futures.shutdown.timeout", "futures.shutdown.timeout=-1s");
    }

    @Test
    void missingKindFailsNamingTheProperty() {
        assertFailsNaming("futures.executors.io.kind", "futures.executors.io.max-workers=2");
    }

    @Test
    void unknownKindFailsNamingTheProperty() {
        this.contextRunner.withPropertyValues("futures.executors.io.kind=fiber").run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            assertThat(failure).hasRootCauseInstanceOf(IllegalArgumentException.class);
            assertThat(findCause(failure, BindException.class)).isNotNull();
            assertThat(findCause(failure, BindException.class).getMessage()).contains("futures.executors.io.kind");
        });
    }

    @Test
    void worksWithoutActuatorAndMicrometer() {
        this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate",
                "org.springframework.boot.health", "org.springframework.boot.micrometer"))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ThreadPoolExecutor.class);
                    assertThat(threadNameOf(context.getBean(ThreadPoolExecutor.class))).startsWith("futures-thread_");
                });
    }

    @Test
    void everyPropertyIsInTheGeneratedMetadata() throws Exception {
        String json = starterMetadata();
        for (String property : new String[] { "futures.enabled", "futures.thread.enabled", "futures.thread.max-workers",
                "futures.thread.thread-name-prefix", "futures.process.enabled", "futures.process.max-workers",
                "futures.process.max-tasks-per-child", "futures.process.jvm-args", "futures.shutdown.wait",
                "futures.shutdown.cancel-futures", "futures.shutdown.timeout", "futures.async.enabled",
                "futures.metrics.enabled", "futures.executors" }) {
            assertThat(json).contains("\"name\": \"" + property + "\"");
        }
        assertThat(json).contains("Maximum number of worker threads");
    }

    /**
     * The metadata generated for the starter's own classes (the tests' classes have metadata of their own,
     * first on the class path).
     */
    private static String starterMetadata() throws Exception {
        java.nio.file.Path classes = java.nio.file.Path.of(FuturesProperties.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        return java.nio.file.Files.readString(classes.resolve("META-INF/spring-configuration-metadata.json"),
                StandardCharsets.UTF_8);
    }

        private void assertFailsNaming(String property, String... values) {
        this.contextRunner.withPropertyValues(values).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            InvalidConfigurationPropertyValueException cause = findCause(failure, InvalidConfigurationPropertyValueException.class);
            assertThat(cause).as("cause of %s", failure).isNotNull();
            assertThat(cause.getName()).isEqualTo(property);
            assertThat(cause.getMessage()).contains(property);
            assertThat(failure.getMessage()).contains(property);
        });
    }

    private static <T extends Throwable> T findCause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomizerConfiguration {

        @Bean
        @Order(1)
        ThreadPoolExecutorCustomizer first() {
            return builder -> builder.maxWorkers(5).threadNamePrefix("first");
        }

        @Bean
        @Order(2)
        ThreadPoolExecutorCustomizer second() {
            return builder -> builder.threadNamePrefix("second");
        }

        @Bean
        ProcessPoolExecutorCustomizer processCustomizer() {
            return builder -> builder.maxWorkers(1);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomPoolsConfiguration {

        @Bean(destroyMethod = "")
        ThreadPoolExecutor myThreads() {
            return new ThreadPoolExecutor(2, "mine");
        }

        @Bean(destroyMethod = "")
        ProcessPoolExecutor myProcesses() {
            return new ProcessPoolExecutor(1);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class NamedPoolConsumer {

        final ThreadPoolExecutor io;

        final ProcessPoolExecutor reports;

        NamedPoolConsumer(@Qualifier("io") ThreadPoolExecutor io, @Qualifier("reports") ProcessPoolExecutor reports) {
            this.io = io;
            this.reports = reports;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserAsyncConfigurer implements AsyncConfigurer {

        static final AsyncUncaughtExceptionHandler HANDLER = (ex, method, params) -> { };

        @Override
        public Executor getAsyncExecutor() {
            return null;
        }

        @Override
        public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
            return HANDLER;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DecoratorConfiguration {

        static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

        @Bean
        TaskDecorator taskDecorator() {
            return task -> () -> {
                CONTEXT.set("decorated");
                try {
                    task.run();
                } finally {
                    CONTEXT.remove();
                }
            };
        }
    }
}
