package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.autoproxy.DefaultAdvisorAutoProxyCreator;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.NameMatchMethodPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.Ordered;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.AsyncAnnotationAdvisor;
import org.springframework.scheduling.annotation.EnableAsync;

/** {@code @Async} methods in a real context run on the futures pools: by default, and by a named pool's task executor. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesAsyncTests {

    /** The auto-configuration and a named thread pool "io", without {@code @EnableAsync}. */
    private final ApplicationContextRunner baseRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
            .withPropertyValues("futures.executors.io.kind=thread", "futures.process.enabled=false");

    private final ApplicationContextRunner contextRunner = this.baseRunner.withUserConfiguration(AsyncConfiguration.class);

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The caller's context, carried into the worker thread by {@link #PROPAGATING}. */
    static final ThreadLocal<String> CALLER = new ThreadLocal<>();

    /** A task decorator as context propagation would be: it copies the caller's {@link #CALLER} value. */
    static final TaskDecorator PROPAGATING = task -> {
        String value = CALLER.get();
        return () -> {
            CALLER.set(value);
            try {
                task.run();
            } finally {
                CALLER.remove();
            }
        };
    };

    /** Runs {@code action} with {@link #CALLER} set in this thread. */
    private static void asCaller(String value, Executable action) throws Throwable {
        CALLER.set(value);
        try {
            action.execute();
        } finally {
            CALLER.remove();
        }
    }

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

    /** The plain {@code @Async}: a Future method's caller gets a futures Future that ran on futuresThreadPool. */
    @Test
    void futureMethodHandsTheCallerAFuturesFutureFromTheThreadPool() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).threadNameFuture();
            assertThat(result).isInstanceOf(io.github.futures.Future.class);
            assertThat(((io.github.futures.Future<String>) result).result(WAIT)).startsWith("futures-thread_");
        });
    }

    /** {@code @Async("ioTaskExecutor")}: a Future method's caller gets a futures Future that ran on the pool "io". */
    @Test
    void taskExecutorNameHandsTheCallerAFuturesFutureFromTheNamedPool() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).onNamedPoolFuture();
            assertThat(result).isInstanceOf(io.github.futures.Future.class);
            assertThat(((io.github.futures.Future<String>) result).result(WAIT)).startsWith("io_");
            assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
    }

    @Test
    void taskExecutorNameRunsVoidAndCompletableFutureMethodsOnTheNamedPool() {
        this.contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.onNamedPool().get(30, TimeUnit.SECONDS)).startsWith("io_");
            service.recordThreadOnNamedPool();
            assertThat(service.ran().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(service.threadName()).startsWith("io_");
        });
    }

    /**
     * {@code @Async("io")}, the pool's own name, is Spring's plain handling of an {@code Executor}: the
     * method runs on the pool, but a Future method's caller gets Spring's future, not ours.
     */
    @Test
    void poolNameRunsOnThePoolThroughSpringsOwnAdapter() {
        this.contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.onPoolNameCompletable().get(30, TimeUnit.SECONDS)).startsWith("io_");
            Future<String> plain = service.onPoolNameFuture();
            assertThat(plain).isNotInstanceOf(io.github.futures.Future.class);
            assertThat(plain.get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
    }

    /** The task decorators apply to {@code @Async("ioTaskExecutor")} methods of every return type. */
    @Test
    void taskDecoratorAppliesToMethodsOnTheNamedPoolsTaskExecutor() {
        this.contextRunner.withBean(TaskDecorator.class, () -> PROPAGATING).run(context -> {
            Service service = context.getBean(Service.class);
            asCaller("request-1", () -> {
                Future<String> future = service.onNamedPoolWithCaller();
                assertThat(future).isInstanceOf(io.github.futures.Future.class);
                assertThat(future.get(30, TimeUnit.SECONDS)).startsWith("io_").endsWith(":request-1");
            });
            asCaller("request-2", () -> assertThat(service.onNamedPoolWithCallerCompletable().get(30, TimeUnit.SECONDS))
                    .startsWith("io_").endsWith(":request-2"));
            asCaller("request-3", service::recordThreadOnNamedPool);
            assertThat(service.ran().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(service.threadName()).startsWith("io_").endsWith(":request-3");
        });
    }

    /** Each call is decorated exactly once; "the" task executor is still the application's. */
    @Test
    void namedPoolCallIsDecoratedOnce() {
        AtomicInteger decorated = new AtomicInteger();
        this.contextRunner.withBean(TaskDecorator.class, () -> task -> {
            decorated.incrementAndGet();
            return task;
        }).run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.onNamedPoolFuture().get(30, TimeUnit.SECONDS)).startsWith("io_");
            assertThat(service.onNamedPool().get(30, TimeUnit.SECONDS)).startsWith("io_");
            assertThat(decorated).hasValue(2);
            assertThat(context.getBean(FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME))
                    .isSameAs(context.getBean(AsyncTaskExecutor.class));
        });
    }

    /** Without the default thread pool, {@code @Async("ioTaskExecutor")} still gets the named pool's futures. */
    @Test
    void namedPoolsTaskExecutorWorksWithoutTheDefaultThreadPool() {
        this.contextRunner.withPropertyValues("futures.thread.enabled=false")
                .withBean(TaskDecorator.class, () -> PROPAGATING).run(context -> {
                    Service service = context.getBean(Service.class);
                    asCaller("no-default-pool", () -> {
                        Future<String> result = service.onNamedPoolWithCaller();
                        assertThat(result).isInstanceOf(io.github.futures.Future.class);
                        assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("io_").endsWith(":no-default-pool");
                    });
                });
    }

    /** {@code ioTaskExecutor} is injected where asked for by its name; plain injection still gets the application's. */
    @Test
    void namedPoolsTaskExecutorIsInjectedByQualifier() {
        this.contextRunner.withBean(TaskExecutorConsumer.class).run(context -> {
            TaskExecutorConsumer consumer = context.getBean(TaskExecutorConsumer.class);
            assertThat(consumer.io).isSameAs(context.getBean("ioTaskExecutor"));
            assertThat(((FuturesTaskExecutor) consumer.io).getPool()).isSameAs(context.getBean("io"));
            assertThat(consumer.application)
                    .isSameAs(context.getBean(FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME));
            assertThat(consumer.io.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS))
                    .startsWith("io_");
        });
    }

    static class TaskExecutorConsumer {

        final AsyncTaskExecutor io;

        final AsyncTaskExecutor application;

        TaskExecutorConsumer(@Qualifier("ioTaskExecutor") AsyncTaskExecutor io, AsyncTaskExecutor application) {
            this.io = io;
            this.application = application;
        }
    }

    /** The application's AsyncConfigurer stays its own bean: found by its type and injected by it. */
    @Test
    void applicationAsyncConfigurerIsRetrievableByItsOwnTypeAndInjectable() {
        this.contextRunner.withBean(Recorder.class).withUserConfiguration(HandlerConfiguration.class)
                .withBean(ConfigurerConsumer.class).run(context -> {
                    assertThat(context).hasNotFailed();
                    HandlerConfiguration mine = context.getBean(HandlerConfiguration.class);
                    assertThat(context.getBean(org.springframework.scheduling.annotation.AsyncConfigurer.class))
                            .isSameAs(mine);
                    assertThat(context.getBean(ConfigurerConsumer.class).configurer).isSameAs(mine);
                    assertThat(context).doesNotHaveBean(FuturesExecutorConfigurations.FuturesAsyncConfigurer.class);
                });
    }

    static class ConfigurerConsumer {

        final HandlerConfiguration configurer;

        ConfigurerConsumer(HandlerConfiguration configurer) {
            this.configurer = configurer;
        }
    }

    /** A handler from the application's own AsyncConfigurer (which supplies no executor) sees the failure on our pool. */
    @Test
    void exceptionFromVoidMethodReachesTheApplicationsUncaughtExceptionHandler() {
        assertReachesHandler(Service::fail, "async failure", "fail", "futures-thread_");
    }

    @Test
    void exceptionFromVoidMethodOnTheNamedPoolReachesTheApplicationsUncaughtExceptionHandler() {
        assertReachesHandler(Service::failOnNamedPool, "named pool failure", "failOnNamedPool", "io_");
    }

    /** Calls a void {@code @Async} method that throws; the handler sees the exception, method and thread. */
    private void assertReachesHandler(java.util.function.Consumer<Service> call, String message, String method,
                                      String threadPrefix) {
        this.contextRunner.withBean(Recorder.class).withUserConfiguration(HandlerConfiguration.class).run(context -> {
            call.accept(context.getBean(Service.class));
            Recorder handler = context.getBean(Recorder.class);
            assertThat(handler.handled.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(handler.exception.get()).isInstanceOf(IllegalStateException.class).hasMessage(message);
            assertThat(handler.method.get().getName()).isEqualTo(method);
            assertThat(handler.thread.get()).startsWith(threadPrefix);
        });
    }

    /** Without an AsyncConfigurer of its own, the application may declare the handler as a bean. */
    @Test
    void uncaughtExceptionHandlerBeanIsUsedWithoutAnApplicationConfigurer() {
        this.contextRunner.withBean(Recorder.class)
                .withBean(AsyncUncaughtExceptionHandler.class, () -> (ex, m, params) -> { })
                .run(context -> {
                    assertThat(context.getBean(org.springframework.scheduling.annotation.AsyncConfigurer.class)
                            .getAsyncUncaughtExceptionHandler())
                            .isSameAs(context.getBean(AsyncUncaughtExceptionHandler.class));
                });
    }

    @Test
    void exceptionFromNamedPoolFutureMethodReachesTheCaller() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).failingFutureOnNamedPool();
            assertThat(((io.github.futures.Future<String>) result).exception(WAIT))
                    .isInstanceOf(IllegalStateException.class).hasMessage("named future failure");
        });
    }

    /** The application's configurer with an executor of its own wins for {@code @Async}; a task executor's name still works. */
    @Test
    void applicationAsyncConfigurerWithItsOwnExecutorWinsForUnqualifiedMethods() {
        this.contextRunner.withUserConfiguration(ExecutorConfiguration.class).run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.threadNameCompletable().get(30, TimeUnit.SECONDS)).startsWith("mine-");
            assertThat(service.threadNameFuture().get(30, TimeUnit.SECONDS)).startsWith("mine-");
            Future<String> named = service.onNamedPoolFuture();
            assertThat(named).isInstanceOf(io.github.futures.Future.class);
            assertThat(named.get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
    }

    /** Spring's own {@code @Async} advisor is left in the proxy, beside another advisor of the application. */
    @Test
    void beanProxiedForAnotherAdvisorKeepsSpringsAsyncAdvisor() {
        this.contextRunner.withUserConfiguration(TracingFirstConfiguration.class).run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(((Advised) service).getAdvisors()).hasSize(2)
                    .anyMatch(advisor -> advisor.getClass() == AsyncAnnotationAdvisor.class);
            service.traced();
            assertThat(context.getBean(Tracer.class).calls).hasValue(1);
            Future<String> result = service.onNamedPoolFuture();
            assertThat(result).isInstanceOf(io.github.futures.Future.class);
            assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("io_");
            assertThat(service.threadNameFuture().get(30, TimeUnit.SECONDS)).startsWith("futures-thread_");
        });
    }

    /** Interface-based beans: a JDK proxy by default, a class-based one with {@code proxyTargetClass}. */
    @Test
    void namedPoolsTaskExecutorWorksOnJdkAndClassBasedProxies() {
        this.baseRunner.withUserConfiguration(InterfaceConfiguration.class).run(context -> {
            Api api = context.getBean(Api.class);
            assertThat(AopUtils.isJdkDynamicProxy(api)).isTrue();
            assertThat(api.onNamedPool()).isInstanceOf(io.github.futures.Future.class);
            assertThat(api.onNamedPool().get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
        this.baseRunner.withUserConfiguration(ClassProxyConfiguration.class).run(context -> {
            Api api = context.getBean(Api.class);
            assertThat(AopUtils.isCglibProxy(api)).isTrue();
            assertThat(api.onNamedPool()).isInstanceOf(io.github.futures.Future.class);
            assertThat(api.onNamedPool().get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
    }

    /** Without {@code @EnableAsync}, nothing is proxied: the methods run in the caller's thread. */
    @Test
    void withoutEnableAsyncMethodsRunInTheCallersThread() {
        this.baseRunner.withBean(Service.class).run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(AopUtils.isAopProxy(service)).isFalse();
            assertThat(service.onNamedPoolFuture().get(30, TimeUnit.SECONDS)).isEqualTo(Thread.currentThread().getName());
        });
    }

    @Test
    void exceptionFromFutureMethodReachesTheCaller() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).failingFuture();
            assertThat(((io.github.futures.Future<String>) result).exception(WAIT))
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

    /** The application's own configurer: it supplies the handler and no executor (Spring then finds ours). */
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

    /** The application's own configurer, with an executor of its own. */
    @Configuration(proxyBeanMethods = false)
    static class ExecutorConfiguration implements org.springframework.scheduling.annotation.AsyncConfigurer {

        @Override
        public java.util.concurrent.Executor getAsyncExecutor() {
            return new SimpleAsyncTaskExecutor("mine-");
        }
    }

    /** An advisor of the application's own, traced by {@link Tracer}, on the method {@code traced}. */
    @Configuration(proxyBeanMethods = false)
    static class TracingConfiguration {

        @Bean
        Tracer tracer() {
            return new Tracer();
        }

        @Bean
        @Role(BeanDefinition.ROLE_INFRASTRUCTURE) // an advisor, made while post-processors are created
        static Advisor tracingAdvisor(ObjectProvider<Tracer> tracer) {
            NameMatchMethodPointcut pointcut = new NameMatchMethodPointcut();
            pointcut.setMappedName("traced");
            return new DefaultPointcutAdvisor(pointcut, (MethodInterceptor) invocation -> {
                tracer.getObject().calls.incrementAndGet();
                return invocation.proceed();
            });
        }
    }

    /** Proxies {@link Service} before {@code @Async} is applied, as Spring's own auto-proxy creators do. */
    @Configuration(proxyBeanMethods = false)
    @Import(TracingConfiguration.class)
    static class TracingFirstConfiguration {

        @Bean
        static DefaultAdvisorAutoProxyCreator autoProxyCreator() {
            DefaultAdvisorAutoProxyCreator creator = new DefaultAdvisorAutoProxyCreator();
            creator.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return creator;
        }
    }

    static class Tracer {

        final AtomicInteger calls = new AtomicInteger();
    }

    interface Api {

        Future<String> onNamedPool();
    }

    static class ApiService implements Api {

        @Async("ioTaskExecutor")
        @Override
        public Future<String> onNamedPool() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync
    static class InterfaceConfiguration {

        @Bean
        Api api() {
            return new ApiService();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAsync(proxyTargetClass = true)
    static class ClassProxyConfiguration {

        @Bean
        Api api() {
            return new ApiService();
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

        @Async("ioTaskExecutor")
        public CompletableFuture<String> onNamedPool() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("ioTaskExecutor")
        public Future<String> onNamedPoolFuture() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("io")
        public Future<String> onPoolNameFuture() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("io")
        public CompletableFuture<String> onPoolNameCompletable() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName());
        }

        @Async("ioTaskExecutor")
        public void recordThreadOnNamedPool() {
            String caller = CALLER.get();
            this.threadName.set(Thread.currentThread().getName() + (caller != null ? ":" + caller : ""));
            this.ran.countDown();
        }

        @Async("ioTaskExecutor")
        public Future<String> onNamedPoolWithCaller() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName() + ":" + CALLER.get());
        }

        @Async("ioTaskExecutor")
        public CompletableFuture<String> onNamedPoolWithCallerCompletable() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName() + ":" + CALLER.get());
        }

        @Async("ioTaskExecutor")
        public void failOnNamedPool() {
            throw new IllegalStateException("named pool failure");
        }

        @Async("ioTaskExecutor")
        public Future<String> failingFutureOnNamedPool() {
            throw new IllegalStateException("named future failure");
        }

        public void traced() {
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
