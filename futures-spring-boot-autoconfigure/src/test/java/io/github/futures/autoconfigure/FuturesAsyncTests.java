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
import org.springframework.aop.framework.AopProxyUtils;
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

/** {@code @Async} methods in a real context run on the futures pools, by default and by a named pool's name. */
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

    @Test
    void futureMethodHandsTheCallerAFuturesFuture() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).threadNameFuture();
            assertThat(result).isInstanceOf(io.github.futures.Future.class);
            assertThat(((io.github.futures.Future<String>) result).result(WAIT))
                    .startsWith("futures-thread_");
        });
    }

    @Test
    void qualifiedCompletableFutureMethodRunsOnTheNamedPool() {
        this.contextRunner.run(context -> {
            CompletableFuture<String> result = context.getBean(Service.class).onNamedPool();
            assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
    }

    /** {@code @Async("io")}: a Future method's caller gets a futures Future, as for the unqualified @Async. */
    @Test
    void qualifiedFutureMethodHandsTheCallerAFuturesFutureFromTheNamedPool() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).onNamedPoolFuture();
            assertThat(result).isInstanceOf(io.github.futures.Future.class);
            assertThat(((io.github.futures.Future<String>) result).result(WAIT)).startsWith("io_");
            assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("io_");
        });
    }

    @Test
    void qualifiedVoidMethodRunsOnTheNamedPool() {
        this.contextRunner.run(context -> {
            Service service = context.getBean(Service.class);
            service.recordThreadOnNamedPool();
            assertThat(service.ran().await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(service.threadName()).startsWith("io_");
        });
    }

    /** The task decorators apply to {@code @Async("io")} methods of every return type. */
    @Test
    void taskDecoratorAppliesToQualifiedMethods() {
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

    /** Each {@code @Async("io")} call is decorated exactly once; "the" task executor is still the application's. */
    @Test
    void qualifiedCallIsDecoratedOnce() {
        AtomicInteger decorated = new AtomicInteger();
        this.contextRunner.withBean(TaskDecorator.class, () -> task -> {
            decorated.incrementAndGet();
            return task;
        }).run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(service.onNamedPoolFuture().get(30, TimeUnit.SECONDS)).startsWith("io_");
            assertThat(service.onNamedPool().get(30, TimeUnit.SECONDS)).startsWith("io_");
            assertThat(decorated).hasValue(2);
            // the adapter is no autowire candidate: "the" task executor is still the application's
            assertThat(context.getBean(FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME))
                    .isSameAs(context.getBean(AsyncTaskExecutor.class));
        });
    }

    /** Without the default thread pool, {@code @Async("io")} still gets the named pool's futures. */
    @Test
    void qualifiedFutureMethodWorksWithoutTheDefaultThreadPool() {
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

    @Test
    void namedPoolsTaskExecutorHandsTheCallerAFuturesFutureAndDecoratesTasks() {
        this.contextRunner.withBean(TaskDecorator.class,
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
                    // the adapter is no default candidate: "the" task executor is still the application's
                    assertThat(context.getBean(AsyncTaskExecutor.class))
                            .isSameAs(context.getBean(FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME));
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

    static final ThreadLocal<Boolean> DECORATED = new ThreadLocal<>();

    @Test
    void exceptionFromVoidMethodReachesTheUncaughtExceptionHandler() {
        assertReachesHandler(Service::fail, "async failure", "fail", "futures-thread_");
    }

    @Test
    void exceptionFromQualifiedVoidMethodReachesTheUncaughtExceptionHandler() {
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

    @Test
    void exceptionFromQualifiedFutureMethodReachesTheCaller() {
        this.contextRunner.run(context -> {
            Future<String> result = context.getBean(Service.class).failingFutureOnNamedPool();
            assertThat(((io.github.futures.Future<String>) result).exception(WAIT))
                    .isInstanceOf(IllegalStateException.class).hasMessage("named future failure");
        });
    }

    /** The application's configurer with an executor of its own wins for {@code @Async}; a pool's name still works. */
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

    /** A bean already proxied by an auto-proxy creator (for another advisor) keeps both advices. */
    @Test
    void qualifiedMethodOnABeanProxiedForAnotherAdvisorStillWorks() {
        this.contextRunner.withUserConfiguration(TracingFirstConfiguration.class).run(context -> {
            Service service = context.getBean(Service.class);
            // one proxy, with the tracer's advisor and ours (not Spring's plain one)
            assertThat(((Advised) service).getAdvisors()).hasSize(2)
                    .noneMatch(advisor -> advisor instanceof AsyncAnnotationAdvisor);
            assertTracedAndAsync(context.getBean(Tracer.class), service);
        });
    }

    /** An auto-proxy creator ordered after {@code @EnableAsync} proxies its proxy again: still works. */
    @Test
    void qualifiedMethodOnAProxyWrappedInAnotherProxyStillWorks() {
        this.contextRunner.withUserConfiguration(TracingAfterConfiguration.class).run(context -> {
            Service service = context.getBean(Service.class);
            assertThat(AopUtils.isAopProxy(AopProxyUtils.getSingletonTarget(service))).isTrue();
            assertTracedAndAsync(context.getBean(Tracer.class), service);
        });
    }

    private static void assertTracedAndAsync(Tracer tracer, Service service) throws Exception {
        service.traced();
        assertThat(tracer.calls).hasValue(1);
        Future<String> result = service.onNamedPoolFuture();
        assertThat(result).isInstanceOf(io.github.futures.Future.class);
        assertThat(result.get(30, TimeUnit.SECONDS)).startsWith("io_");
        assertThat(service.threadNameFuture().get(30, TimeUnit.SECONDS)).startsWith("futures-thread_");
    }

    /** Interface-based beans: a JDK proxy by default, a class-based one with {@code proxyTargetClass}. */
    @Test
    void qualifiedMethodWorksOnJdkAndClassBasedProxies() {
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

    /** Proxies {@link Service} after {@code @Async} is applied: a proxy around Spring's proxy. */
    @Configuration(proxyBeanMethods = false)
    @Import(TracingConfiguration.class)
    static class TracingAfterConfiguration {

        @Bean
        static DefaultAdvisorAutoProxyCreator autoProxyCreator() {
            DefaultAdvisorAutoProxyCreator creator = new DefaultAdvisorAutoProxyCreator();
            creator.setProxyTargetClass(true);
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

        @Async("io")
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

        @Async("io")
        public void recordThreadOnNamedPool() {
            String caller = CALLER.get();
            this.threadName.set(Thread.currentThread().getName() + (caller != null ? ":" + caller : ""));
            this.ran.countDown();
        }

        @Async("io")
        public Future<String> onNamedPoolWithCaller() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName() + ":" + CALLER.get());
        }

        @Async("io")
        public CompletableFuture<String> onNamedPoolWithCallerCompletable() {
            return CompletableFuture.completedFuture(Thread.currentThread().getName() + ":" + CALLER.get());
        }

        @Async("io")
        public void failOnNamedPool() {
            throw new IllegalStateException("named pool failure");
        }

        @Async("io")
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
