package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

/** {@code @Async} methods in a real context run on the futures pools. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesAsyncTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
            .withUserConfiguration(AsyncConfiguration.class)
            .withPropertyValues("futures.executors.io.kind=thread", "futures.process.enabled=false");

    @Test
    void voidMethodRunsOnTheThreadPool() {
        this.contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            service.recordThread();
            assertThat(service.ran().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(service.threadName()).startsWith("futures-thread_");
        });
    }

    @Test
    void completableFutureMethodCompletesWithTheValueFromThePool() {
        this.contextRunner.run(context -> {
            CompletableFuture<String> result = context.getBean(Service.class).threadNameCompletable();
            assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("futures-thread_");
        });
    }

    @Test
    void futureMethodHandsTheCallerAFuturesFuture() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).threadNameFuture();
            assertThat(result).isInstanceOf(io.github.futures.Future.class);
            assertThat(((io.github.futures.Future<String>) result).result(java.time.Duration.ofSeconds(30)))
                    .startsWith("futures-thread_");
        });
    }

    @Test
    void qualifiedMethodRunsOnTheNamedPool() {
        this.contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.onNamedPool().get(30, TimeUnit.SECONDS)).startsWith("io_");
            assertThat(service.onNamedPoolFuture().get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
    }

    @Test
    void namedPoolsTaskExecutorHandsTheCallerAFuturesFutureAndDecoratesTasks() {
        this.contextRunner.withBean(org.springframework.core.task.TaskDecorator.class,
                () -> task -> () -> {
                    DECORATED.set(true);
                    try {
                        task.run();
                    } finally {
                        DECORATED.remove();
                    }
                })
                .run(context -> {
                    Future<String> result = context.getBean(Service.class).onNamedPoolTaskExecutor();
                    assertThat(result).isInstanceOf(io.github.futures.Future.class);
                    assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("io_").endsWith("decorated");
                    // the adapter is no autowire candidate: "the" task executor is still the application's
                    assertThat(context.getBean(org.springframework.core.task.AsyncTaskExecutor.class))
                            .isSameAs(context.getBean(FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME));
                });
    }

    static final ThreadLocal<Boolean> DECORATED = new ThreadLocal<>();

    @Test
    void exceptionFromVoidMethodReachesTheUncaughtExceptionHandler() {
        this.contextRunner.withBean(Recorder.class).withUserConfiguration(HandlerConfiguration.class).run(context -> {
            context.getBean(Service.class).fail();
            Recorder handler = context.getBean(Recorder.class);
            assertThat(handler.handled.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(handler.exception.get()).isInstanceOf(IllegalStateException.class).hasMessage("async failure");
            assertThat(handler.method.get().getName()).isEqualTo("fail");
            assertThat(handler.thread.get()).startsWith("futures-thread_");
        });
    }

    @Test
    void exceptionFromFutureMethodReachesTheCaller() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).failingFuture();
            assertThat(((io.github.futures.Future<String>) result).exception(java.time.Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class).hasMessage("future failure");
        });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class AsyncConfiguration {

        @Bean
        Service service() {
            return new Service();
        }
    }

    /** The application's own configurer: it supplies the handler and leaves the executor to us. */
    @Configuration(proxyBeanMethods = false)
    static class HandlerConfiguration implements org.springframework.scheduling.annotation.AsyncConfigurer {

        private final Recorder recorder;

        HandlerConfiguration(Recorder recorder) {
            this.recorder = recorder;
        }

        @Override
        public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
            return this.recorder::record;
        }
    }

    static class Recorder {

        final CountDownLatch handled = new CountDownLatch(1);

        final AtomicReference<Throwable> exception = new AtomicReference<>();

        final AtomicReference<Method> method = new AtomicReference<>();

        final AtomicReference<String> thread = new AtomicReference<>();

        void record(Throwable ex, Method m, Object... params) {
            this.exception.set(ex);
            this.method.set(m);
            this.thread.set(Thread.currentThread().getName());
            this.handled.countDown();
        }
    }

    static class Service {

        final CountDownLatch ran = new CountDownLatch(1);

        final AtomicReference<String> threadName = new AtomicReference<>();

        public CountDownLatch ran() {
            return this.ran;
        }

        public String threadName() {
            return this.threadName.get();
        }

        @Async
        public void recordThread() {
            this.threadName.set(Thread.currentThread().getName());
            this.ran.countDown();
        }

        @Async
        public CompletableFuture<String> threadNameCompletable() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async
        public Future<String> threadNameFuture() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("io")
        public CompletableFuture<String> onNamedPool() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("io")
        public Future<String> onNamedPoolFuture() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("ioTaskExecutor")
        public Future<String> onNamedPoolTaskExecutor() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName()
                    + (Boolean.TRUE.equals(DECORATED.get()) ? " decorated" : ""));
        }

        @Async
        public void fail() {
            throw new IllegalStateException("async failure");
        }

        @Async
        public Future<String> failingFuture() {
            throw new IllegalStateException("future failure");
        }
    }
}
