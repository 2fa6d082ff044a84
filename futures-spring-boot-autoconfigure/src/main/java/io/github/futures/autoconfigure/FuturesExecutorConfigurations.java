package io.github.futures.autoconfigure;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.autoconfigure.cluster.FuturesClusterAutoConfiguration;
import io.github.futures.spi.CallInterceptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.scheduling.annotation.AsyncConfigurer;

/**
 * The configurations imported by {@link FuturesAutoConfiguration}, in this order: the default
 * pools, the named pools, their shutdown, and {@code @Async}.
 */
final class FuturesExecutorConfigurations {

    /** Suffix of the {@code AsyncTaskExecutor} bean registered beside each named thread pool. */
    static final String TASK_EXECUTOR_SUFFIX = "TaskExecutor";

    /** A process pool with more workers than this many per available processor is warned about. */
    static final int OVERSIZED_PER_CPU = 4;

    private static final Log logger = LogFactory.getLog(FuturesExecutorConfigurations.class);

    private FuturesExecutorConfigurations() {
    }

    // ------------------------------------------------------------------ building pools

    /**
     * Builds a thread pool from property values and customizers.
     *
     * @param name the pool's bean name, for the calls' context and observations
     * @param prefix the properties' prefix, for messages ({@code futures.thread} or {@code futures.executors.<name>})
     * @param interceptors what every call carries, or {@code null}
     */
    static ThreadPoolExecutor threadPool(String name, String prefix, Integer maxWorkers, String threadNamePrefix,
                                         ThreadOptions options, Stream<ThreadPoolExecutorCustomizer> customizers,
                                         FuturesCallInterceptors interceptors) {
        FuturesPropertyChecks.checkPositive(prefix + ".max-workers", maxWorkers);
        FuturesPropertyChecks.checkPositive(prefix + ".max-pending", options.maxPending());
        ThreadPoolExecutor.Builder builder = ThreadPoolExecutor.builder().threadNamePrefix(threadNamePrefix);
        if (maxWorkers != null) {
            builder.maxWorkers(maxWorkers);
        }
        if (options.callTimeout() != null) {
            builder.callTimeout(FuturesPropertyChecks.positive(prefix + ".call-timeout", options.callTimeout()));
        }
        if (options.maxPending() != null) {
            builder.maxPending(options.maxPending());
        }
        if (options.virtual()) {
            builder.virtualThreads(true);
        }
        CallInterceptor interceptor = interceptors == null ? null : interceptors.forPool(name);
        builder.callInterceptor(interceptor);
        customizers.forEach(customizer -> customizer.customize(builder));
        try {
            ThreadPoolExecutor pool = builder.build();
            return interceptor == null ? pool : interceptors.built(pool);
        } catch (UnsupportedOperationException e) {
            throw new InvalidConfigurationPropertyValueException(prefix + ".virtual", true,
                    e.getMessage() + "; run on JDK 21 or later, or remove the property.");
        }
    }

    /**
     * The thread-pool options beside the worker count.
     *
     * @param callTimeout the call timeout or {@code null}
     * @param maxPending the pending limit or {@code null}
     * @param virtual whether calls run on virtual threads
     */
    record ThreadOptions(Duration callTimeout, Integer maxPending, boolean virtual) {
    }

    /**
     * Builds a process pool from property values and customizers. No worker starts here.
     *
     * @param name the pool's bean name, for messages
     * @param prefix the properties' prefix, for messages ({@code futures.process} or {@code futures.executors.<name>})
     * @param interceptors what every call carries, or {@code null}
     */
    static ProcessPoolExecutor processPool(String name, String prefix, FuturesProperties.ProcessOptions options,
                                           Stream<ProcessPoolExecutorCustomizer> customizers,
                                           FuturesCallInterceptors interceptors) {
        FuturesPropertyChecks.checkPositive(prefix + ".max-workers", options.getMaxWorkers());
        FuturesPropertyChecks.checkPositive(prefix + ".max-tasks-per-child", options.getMaxTasksPerChild());
        // Named after the bean, as the thread pools' threads are: its threads and its workers' lines carry it.
        ProcessPoolExecutor.Builder builder = ProcessPoolExecutor.builder().threadNamePrefix(name);
        if (options.getMaxWorkers() != null) {
            builder.maxWorkers(options.getMaxWorkers());
        }
        if (options.getMaxTasksPerChild() != null) {
            builder.maxTasksPerChild(options.getMaxTasksPerChild());
        }
        List<String> jvmArgs = options.getJvmArgs();
        FuturesPropertyChecks.checkJvmArgs(prefix + ".jvm-args", jvmArgs);
        if (jvmArgs != null && !jvmArgs.isEmpty()) {
            builder.jvmArgs(jvmArgs);
        }
        if (options.getJavaExecutable() != null) {
            FuturesPropertyChecks.checkJavaExecutable(prefix + ".java-executable", options.getJavaExecutable());
            builder.javaExecutable(options.getJavaExecutable());
        }
        if (options.getEnvironment() != null && !options.getEnvironment().isEmpty()) {
            builder.environment(options.getEnvironment());
        }
        if (options.getSerialFilter() != null) {
            try {
                builder.serialFilter(options.getSerialFilter());
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".serial-filter", options.getSerialFilter(),
                        "Not a java.io.ObjectInputFilter pattern (" + e.getMessage() + "); write it as in "
                                + "\"com.acme.**;java.**;!*\".");
            }
        }
        builder.maxMessageSize(FuturesPropertyChecks.messageSize(prefix + ".max-message-size", options.getMaxMessageSize()));
        builder.fastStartupOptions(options.isFastStartupOptions());
        if (options.getClassPath() != null) {
            builder.classPath(options.getClassPath());
        }
        builder.startupArchive(options.getStartupArchive().isEnabled());
        if (options.getStartupArchive().getDirectory() != null) {
            builder.startupArchiveDirectory(options.getStartupArchive().getDirectory());
        }
        FuturesPropertyChecks.checkPositive(prefix + ".max-pending", options.getMaxPending());
        if (options.getCallTimeout() != null) {
            builder.callTimeout(FuturesPropertyChecks.positive(prefix + ".call-timeout", options.getCallTimeout()));
        }
        if (options.getMaxPending() != null) {
            builder.maxPending(options.getMaxPending());
        }
        if (options.getOnWorkerDeath() != null) {
            builder.onWorkerDeath(options.getOnWorkerDeath());
        }
        if (options.getMaxWorkerMemory() != null) {
            long bytes = options.getMaxWorkerMemory().toBytes();
            if (bytes <= 0L) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".max-worker-memory",
                        options.getMaxWorkerMemory(), "Must be positive, such as 512MB; remove it for no limit.");
            }
            builder.maxWorkerMemory(bytes);
        }
        if (options.getIdleTimeout() != null) {
            builder.idleTimeout(FuturesPropertyChecks.positive(prefix + ".idle-timeout", options.getIdleTimeout()));
        }
        if (options.getMinWorkers() != null) {
            if (options.getMinWorkers() < 0) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".min-workers", options.getMinWorkers(),
                        "Must be 0 or more.");
            }
            builder.minWorkers(options.getMinWorkers());
        }
        builder.callInterceptor(interceptors == null ? null : interceptors.forPool(name));
        customizers.forEach(customizer -> customizer.customize(builder));
        ProcessPoolExecutor pool;
        try {
            pool = builder.build();
        } catch (IllegalArgumentException e) {
            if (options.getMinWorkers() != null && options.getMinWorkers() > 0
                    && String.valueOf(e.getMessage()).contains("minWorkers")) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".min-workers", options.getMinWorkers(),
                        e.getMessage() + "; lower it or raise max-workers.");
            }
            throw e;
        }
        warnIfOversized(name, prefix, pool.maxWorkers());
        return pool;
    }

    /**
     * Each worker of a process pool is a JVM with its own heap and JIT threads: past a few per processor they
     * only compete for the CPUs. Warned about, not refused: calls that mostly wait may want more.
     */
    static void warnIfOversized(String name, String prefix, int maxWorkers) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (maxWorkers > OVERSIZED_PER_CPU * cpus) {
            logger.warn("Process pool '" + name + "' has " + maxWorkers + " workers (" + prefix + ".max-workers), more"
                    + " than " + OVERSIZED_PER_CPU + " x the " + cpus + " available processors: each worker is a JVM of"
                    + " its own, and CPU-bound calls gain nothing past one per processor.");
        }
    }

    /**
     * Creates the shutdown lifecycle, if it does not exist yet, before a pool it shuts down. The pools have no
     * destroy method: the lifecycle shuts them down, also when the context's refresh fails (its
     * {@code destroy}). But an application bean that uses a pool is created before the starter's own beans,
     * and a later bean may fail the refresh before the lifecycle was created: the worker JVMs and running
     * calls the application had started would then outlive the failed context.
     *
     * @param beanFactory where the lifecycle is
     */
    static void shutdownLifecycleFirst(BeanFactory beanFactory) {
        if (beanFactory.containsBean(FuturesAutoConfiguration.SHUTDOWN_LIFECYCLE_BEAN_NAME)) {
            beanFactory.getBean(FuturesAutoConfiguration.SHUTDOWN_LIFECYCLE_BEAN_NAME);
        }
    }

    // ------------------------------------------------------------------ default pools

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "futures.thread.enabled", matchIfMissing = true)
    static class ThreadPoolConfiguration {

        // No destroy method: FuturesShutdownLifecycle shuts the pool down, with the configured rules.
        @Bean(name = FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME, destroyMethod = "")
        @ConditionalOnMissingBean(ThreadPoolExecutor.class)
        ThreadPoolExecutor futuresThreadPool(FuturesProperties properties, Environment environment,
                                             ObjectProvider<ThreadPoolExecutorCustomizer> customizers,
                                             ObjectProvider<FuturesCallInterceptors> interceptors,
                                             BeanFactory beanFactory) {
            shutdownLifecycleFirst(beanFactory);
            FuturesProperties.Thread thread = properties.getThread();
            // spring.threads.virtual.enabled (on JDK 21+) makes the default pool virtual unless futures.thread.virtual=false
            boolean virtual = thread.getVirtual() != null ? thread.getVirtual() : Threading.VIRTUAL.isActive(environment);
            return threadPool(FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME, "futures.thread", thread.getMaxWorkers(),
                    thread.getThreadNamePrefix(), new ThreadOptions(thread.getCallTimeout(), thread.getMaxPending(), virtual),
                    customizers.orderedStream(), interceptors.getIfAvailable());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "futures.process.enabled", matchIfMissing = true)
    static class ProcessPoolConfiguration {

        // No destroy method: FuturesShutdownLifecycle shuts the pool down, with the configured rules.
        @Bean(name = FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME, destroyMethod = "")
        @ConditionalOnMissingBean(ProcessPoolExecutor.class)
        ProcessPoolExecutor futuresProcessPool(FuturesProperties properties,
                                               ObjectProvider<ProcessPoolExecutorCustomizer> customizers,
                                               ObjectProvider<FuturesCallInterceptors> interceptors,
                                               BeanFactory beanFactory) {
            shutdownLifecycleFirst(beanFactory);
            FuturesProperties.Process process = properties.getProcess();
            return processPool(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME, "futures.process", process,
                    customizers.orderedStream(), interceptors.getIfAvailable());
        }
    }

    // ------------------------------------------------------------------ named pools

    @Configuration(proxyBeanMethods = false)
    @Import(NamedExecutorsRegistrar.class)
    static class NamedExecutorsConfiguration {
    }

    /**
     * Registers one bean per {@code futures.executors.<name>}. The beans are qualified by their name
     * and are not default candidates: injecting a plain {@code ThreadPoolExecutor} still gets the
     * default pool, and {@code @ConditionalOnMissingBean} on the pool types (here and in Spring Boot's
     * task execution auto-configuration) does not see them.
     */
    static class NamedExecutorsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

        private Environment environment;

        @Override
        public void setEnvironment(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            // Here, while the configuration is read: a misspelt key fails before any pool exists.
            FuturesPropertyNames.check(this.environment);
            Map<String, FuturesProperties.NamedExecutor> executors = Binder.get(this.environment)
                    .bind("futures.executors", Bindable.mapOf(String.class, FuturesProperties.NamedExecutor.class))
                    .orElse(Map.of());
            executors.forEach((name, executor) -> register(registry, name, executor));
        }

        private void register(BeanDefinitionRegistry registry, String name, FuturesProperties.NamedExecutor executor) {
            String prefix = "futures.executors." + name;
            if (executor.getKind() == null) {
                throw new InvalidConfigurationPropertyValueException(prefix + ".kind", null,
                        "The kind of a named pool is required: \"thread\" or \"process\".");
            }
            FuturesPropertyNames.checkKind(this.environment, name, executor.getKind());
            if (registry.containsBeanDefinition(name)) {
                throw new InvalidConfigurationPropertyValueException(prefix, name,
                        "A bean named '" + name + "' already exists; choose another name for the pool.");
            }
            // Checked here too, so that a bad value fails while the configuration is read.
            FuturesPropertyChecks.checkPositive(prefix + ".max-workers", executor.getMaxWorkers());
            FuturesPropertyChecks.checkPositive(prefix + ".max-tasks-per-child", executor.getMaxTasksPerChild());
            if (executor.getKind() == FuturesProperties.Kind.PROCESS) {
                FuturesPropertyChecks.checkJvmArgs(prefix + ".jvm-args", executor.getJvmArgs());
            }
            // A static factory method with the pool's name as argument, not an instance supplier: Spring AOT
            // generates code for the one, and cannot for the other.
            boolean thread = executor.getKind() == FuturesProperties.Kind.THREAD;
            RootBeanDefinition definition = factoryMethod(thread ? "namedThreadPool" : "namedProcessPool",
                    thread ? ThreadPoolExecutor.class : ProcessPoolExecutor.class, name);
            definition.setDefaultCandidate(false);
            definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            definition.setDestroyMethodName(""); // FuturesShutdownLifecycle shuts it down
            registry.registerBeanDefinition(name, definition);
            if (executor.getKind() == FuturesProperties.Kind.THREAD && asyncEnabled()) {
                registerTaskExecutor(registry, name);
            }
        }

        private boolean asyncEnabled() {
            return Binder.get(this.environment).bind("futures.async.enabled", Boolean.class).orElse(true);
        }

        /**
         * Registers {@code <name>TaskExecutor}, Spring's {@code AsyncTaskExecutor} over the named thread
         * pool: {@code @Async("<name>TaskExecutor")} runs a method on the pool through it, so that a
         * method declared to return {@code java.util.concurrent.Future} hands its caller the pool's
         * {@code io.github.futures.Future}, and the task decorators apply. (Spring wraps a plain
         * {@code Executor} named by {@code @Async("<name>")} in an adapter of its own.) Like the pool,
         * it is qualified by its name and is not a default candidate:
         * {@code @Qualifier("<name>TaskExecutor")} injects it, while a lookup of "the"
         * {@code TaskExecutor} still finds only the application task executor.
         */
        private void registerTaskExecutor(BeanDefinitionRegistry registry, String name) {
            String adapterName = name + TASK_EXECUTOR_SUFFIX;
            if (registry.containsBeanDefinition(adapterName)) {
                return; // the application's own bean of that name wins
            }
            RootBeanDefinition adapter = factoryMethod("namedTaskExecutor", FuturesTaskExecutor.class, name);
            adapter.setDefaultCandidate(false);
            adapter.addQualifier(new AutowireCandidateQualifier(Qualifier.class, adapterName));
            adapter.setDestroyMethodName("");
            registry.registerBeanDefinition(adapterName, adapter);
        }
    }

    // ------------------------------------------------------------------ named pools' factory methods

    /** A bean definition made by a static factory method of this class, its first argument the pool's name, the others autowired. */
    private static RootBeanDefinition factoryMethod(String method, Class<?> type, String poolName) {
        RootBeanDefinition definition = new RootBeanDefinition(FuturesExecutorConfigurations.class);
        definition.setFactoryMethodName(method);
        definition.setTargetType(type);
        definition.getConstructorArgumentValues().addIndexedArgumentValue(0, poolName);
        definition.setAutowireMode(AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
        return definition;
    }

    private static FuturesProperties.NamedExecutor named(String name, Environment environment) {
        return Binder.get(environment).bind("futures.executors." + name, FuturesProperties.NamedExecutor.class).get();
    }

    /**
     * Makes the named thread pool {@code name} from {@code futures.executors.<name>.*}.
     *
     * @param name the pool's bean name
     * @param environment where its properties are
     * @param customizers the thread-pool customizers
     * @param interceptors what every call carries
     * @param beanFactory where the shutdown lifecycle is
     * @return the pool
     */
    static ThreadPoolExecutor namedThreadPool(String name, Environment environment,
                                              ObjectProvider<ThreadPoolExecutorCustomizer> customizers,
                                              ObjectProvider<FuturesCallInterceptors> interceptors,
                                              BeanFactory beanFactory) {
        shutdownLifecycleFirst(beanFactory);
        FuturesProperties.NamedExecutor executor = named(name, environment);
        String threadNamePrefix = executor.getThreadNamePrefix() != null ? executor.getThreadNamePrefix() : name;
        ThreadOptions options = new ThreadOptions(executor.getCallTimeout(), executor.getMaxPending(),
                Boolean.TRUE.equals(executor.getVirtual()));
        return threadPool(name, "futures.executors." + name, executor.getMaxWorkers(), threadNamePrefix, options,
                customizers.orderedStream(), interceptors.getIfAvailable());
    }

    /**
     * Makes the named process pool {@code name} from {@code futures.executors.<name>.*}. No worker starts here.
     *
     * @param name the pool's bean name
     * @param environment where its properties are
     * @param customizers the process-pool customizers
     * @param interceptors what every call carries
     * @param beanFactory where the shutdown lifecycle is
     * @return the pool
     */
    static ProcessPoolExecutor namedProcessPool(String name, Environment environment,
                                                ObjectProvider<ProcessPoolExecutorCustomizer> customizers,
                                                ObjectProvider<FuturesCallInterceptors> interceptors,
                                                BeanFactory beanFactory) {
        shutdownLifecycleFirst(beanFactory);
        return processPool(name, "futures.executors." + name, named(name, environment), customizers.orderedStream(),
                interceptors.getIfAvailable());
    }

    /**
     * Makes the {@code TaskExecutor} view of the named thread pool {@code poolName}, for {@code @Async("<name>TaskExecutor")}.
     *
     * @param poolName the pool's bean name
     * @param beanFactory where the pool is
     * @param taskDecorators the application's task decorators
     * @param interceptors what the starter's pools carry (they decorate their calls already)
     * @return the adapter
     */
    static FuturesTaskExecutor namedTaskExecutor(String poolName, BeanFactory beanFactory,
                                                 ObjectProvider<TaskDecorator> taskDecorators,
                                                 ObjectProvider<FuturesCallInterceptors> interceptors) {
        ThreadPoolExecutor pool = beanFactory.getBean(poolName, ThreadPoolExecutor.class);
        return new FuturesTaskExecutor(pool, taskDecorator(pool, taskDecorators, interceptors));
    }

    // ------------------------------------------------------------------ secrets

    /**
     * The one sanitizing step for everything the starter shows; its rules (the application's
     * {@code SanitizingFunction} beans, with Actuator) are looked up on each use.
     */
    @Configuration(proxyBeanMethods = false)
    static class SanitizerConfiguration {

        @Bean(name = FuturesAutoConfiguration.SANITIZER_BEAN_NAME)
        @ConditionalOnMissingBean
        FuturesSanitizer futuresSanitizer(ObjectProvider<FuturesSanitizer.Rule> rules) {
            return new FuturesSanitizer(() -> rules.orderedStream().toList());
        }
    }

    // ------------------------------------------------------------------ start-up check

    /** Starts one worker of each process pool at context refresh, where {@code validate-on-startup} is on. */
    @Configuration(proxyBeanMethods = false)
    static class ProcessPoolStartupCheckConfiguration {

        @Bean(name = FuturesAutoConfiguration.PROCESS_POOL_STARTUP_CHECK_BEAN_NAME)
        FuturesProcessPoolStartupCheck futuresProcessPoolStartupCheck(FuturesProperties properties,
                                                                      ConfigurableListableBeanFactory beanFactory,
                                                                      FuturesSanitizer sanitizer, Environment environment) {
            if (AotDetector.useGeneratedArtifacts()) {
                // The registrar that checks the names ran at build time only: check the run's own environment.
                FuturesPropertyNames.check(environment);
            }
            return new FuturesProcessPoolStartupCheck(beanFactory, FuturesProcessPoolStartupCheck.poolsToCheck(properties),
                    sanitizer);
        }
    }

    /** Starts every worker of the process pools whose {@code prestart} is on, at context refresh. */
    @Configuration(proxyBeanMethods = false)
    static class ProcessPoolPrestartConfiguration {

        @Bean(name = FuturesAutoConfiguration.PROCESS_POOL_PRESTART_BEAN_NAME)
        FuturesProcessPoolPrestart futuresProcessPoolPrestart(FuturesProperties properties,
                                                              ConfigurableListableBeanFactory beanFactory) {
            return new FuturesProcessPoolPrestart(beanFactory, FuturesProcessPoolPrestart.poolsToPrestart(properties));
        }
    }

    // ------------------------------------------------------------------ shutdown

    @Configuration(proxyBeanMethods = false)
    static class ShutdownConfiguration {

        @Bean(name = FuturesAutoConfiguration.SHUTDOWN_LIFECYCLE_BEAN_NAME)
        FuturesShutdownLifecycle futuresShutdownLifecycle(FuturesProperties properties,
                                                          ConfigurableListableBeanFactory beanFactory,
                                                          FuturesSanitizer sanitizer, ApplicationContext context) {
            FuturesProperties.Shutdown shutdown = properties.getShutdown();
            FuturesPropertyChecks.checkTimeout(shutdown.getTimeout());
            FuturesPropertyChecks.checkTimeout("futures.shutdown.log-interval", shutdown.getLogInterval());
            if (shutdown.getLogInterval() == null || shutdown.getLogInterval().isZero()) {
                throw new InvalidConfigurationPropertyValueException("futures.shutdown.log-interval",
                        shutdown.getLogInterval(), "Must be positive; remove the property to keep the default, 5s.");
            }
            Map<String, FuturesShutdownLifecycle.Rule> rules = new java.util.LinkedHashMap<>();
            properties.getExecutors().forEach((name, executor) -> {
                FuturesProperties.NamedShutdown own = executor.getShutdown();
                FuturesPropertyChecks.checkTimeout("futures.executors." + name + ".shutdown.timeout", own.getTimeout());
                if (own.getCancelFutures() != null || own.getTimeout() != null) {
                    rules.put(name, new FuturesShutdownLifecycle.Rule(own.getCancelFutures(), own.getTimeout()));
                }
            });
            FuturesShutdownLifecycle lifecycle = new FuturesShutdownLifecycle(beanFactory, managedPoolNames(properties),
                    shutdown.isWait(), shutdown.isCancelFutures(), shutdown.getTimeout(), sanitizer, rules,
                    shutdown.getLogInterval());
            if (context instanceof ConfigurableApplicationContext configurable) {
                lifecycle.stopOnlyOnCloseOf(configurable);
            }
            return lifecycle;
        }

        /**
         * The first stage of the shutdown: the pools marked cancel-futures, stopped beside the web server's
         * graceful shutdown (see {@link FuturesShutdownLifecycle}).
         */
        @Bean(name = FuturesAutoConfiguration.SHUTDOWN_CANCEL_FIRST_BEAN_NAME)
        SmartLifecycle futuresShutdownCancelFirstStage(
                @Qualifier(FuturesAutoConfiguration.SHUTDOWN_LIFECYCLE_BEAN_NAME) FuturesShutdownLifecycle lifecycle) {
            return lifecycle.cancelFirstStage();
        }

        private static List<String> managedPoolNames(FuturesProperties properties) {
            return Stream.concat(Stream.of(FuturesAutoConfiguration.THREAD_POOL_BEAN_NAME,
                    FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME, FuturesClusterAutoConfiguration.CLUSTER_POOL_BEAN_NAME),
                    properties.getExecutors().keySet().stream()).toList();
        }
    }

    // ------------------------------------------------------------------ @Async

    /**
     * {@code @Async} methods and Spring MVC async requests run on the thread pool, through
     * {@code applicationTaskExecutor}. Only Spring's public extension points are used: the executor
     * bean, and an {@link AsyncConfigurer} that backs off when the application has one of its own.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "futures.async.enabled", matchIfMissing = true)
    @ConditionalOnSingleCandidate(ThreadPoolExecutor.class)
    @Import(AsyncConfigurerConfiguration.class)
    static class AsyncConfiguration {

        @Bean(name = FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME, destroyMethod = "")
        @ConditionalOnMissingBean(name = FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME)
        FuturesTaskExecutor applicationTaskExecutor(ThreadPoolExecutor threadPool,
                                                    ObjectProvider<TaskDecorator> taskDecorators,
                                                    ObjectProvider<FuturesCallInterceptors> interceptors) {
            return new FuturesTaskExecutor(threadPool, taskDecorator(threadPool, taskDecorators, interceptors));
        }
    }

    /**
     * The task decorators the {@code @Async} adapter over {@code pool} applies: none when the starter built the
     * pool (it decorates every call itself, @Async ones included: decorating here too would apply them twice),
     * otherwise (an application's own pool bean) the task decorator beans.
     */
    static TaskDecorator taskDecorator(ThreadPoolExecutor pool, ObjectProvider<TaskDecorator> taskDecorators,
                                       ObjectProvider<FuturesCallInterceptors> interceptors) {
        FuturesCallInterceptors own = interceptors.getIfAvailable();
        return own != null && own.intercepts(pool) ? null : taskDecorator(taskDecorators);
    }

    /** The task decorator beans in order, composed; {@code null} if there is none. */
    static TaskDecorator taskDecorator(ObjectProvider<TaskDecorator> taskDecorators) {
        List<TaskDecorator> decorators = taskDecorators.orderedStream().toList();
        return decorators.isEmpty() ? null
                : decorators.size() == 1 ? decorators.get(0) : new CompositeTaskDecorator(decorators);
    }

    /**
     * Without an application {@link AsyncConfigurer}, {@code @Async} methods run on the application
     * task executor, as with Spring Boot's own. An application configurer wins and is left as it is:
     * where it supplies no executor, Spring itself falls back to the single {@code TaskExecutor}
     * bean, which is {@code applicationTaskExecutor} (the named pools' adapters are not default
     * candidates).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(AsyncConfigurer.class)
    static class AsyncConfigurerConfiguration {

        @Bean
        FuturesAsyncConfigurer futuresAsyncConfigurer(BeanFactory beanFactory) {
            return new FuturesAsyncConfigurer(beanFactory);
        }
    }

    /**
     * Supplies the application task executor to {@code @Async}, and the application's
     * {@link AsyncUncaughtExceptionHandler} bean, if it declares exactly one.
     */
    static final class FuturesAsyncConfigurer implements AsyncConfigurer {

        private final BeanFactory beanFactory;

        FuturesAsyncConfigurer(BeanFactory beanFactory) {
            this.beanFactory = beanFactory;
        }

        @Override
        public java.util.concurrent.Executor getAsyncExecutor() {
            return this.beanFactory.getBean(FuturesAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME,
                    java.util.concurrent.Executor.class);
        }

        @Override
        public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
            return this.beanFactory.getBeanProvider(AsyncUncaughtExceptionHandler.class).getIfUnique();
        }
    }
}
