package io.github.futures.autoconfigure;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of the futures executors: a {@link ThreadPoolExecutor} bean named
 * {@value #THREAD_POOL_BEAN_NAME}, a {@link ProcessPoolExecutor} bean named
 * {@value #PROCESS_POOL_BEAN_NAME}, one more bean per {@code futures.executors.<name>}, their
 * shutdown when the context closes, and {@code @Async} on the thread pool (and, through its
 * {@code <name>TaskExecutor} bean, on a named thread pool). Every call of every pool carries the
 * submitter's context ({@code futures.propagate-context}), passes through the {@code TaskDecorator}
 * beans (thread pools) and, with {@code futures.observations.enabled}, is an observation.
 *
 * <p>Runs before Spring Boot's {@link TaskExecutionAutoConfiguration}, so that the thread pool
 * replaces Boot's own {@value TaskExecutionAutoConfiguration#APPLICATION_TASK_EXECUTOR_BEAN_NAME}
 * instead of running beside it.
 *
 * @since 0.1.0
 * @see FuturesProperties
 */
@AutoConfiguration(before = TaskExecutionAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "futures.enabled", matchIfMissing = true)
@EnableConfigurationProperties(FuturesProperties.class)
@Import({ FuturesCallContextConfigurations.InterceptorsConfiguration.class,
        FuturesCallContextConfigurations.ContextPropagationConfiguration.class,
        FuturesCallContextConfigurations.ObservationConfiguration.class,
        FuturesExecutorConfigurations.ThreadPoolConfiguration.class,
        FuturesExecutorConfigurations.ProcessPoolConfiguration.class,
        FuturesExecutorConfigurations.NamedExecutorsConfiguration.class,
        FuturesExecutorConfigurations.SanitizerConfiguration.class,
        FuturesExecutorConfigurations.ShutdownConfiguration.class,
        FuturesExecutorConfigurations.ProcessPoolStartupCheckConfiguration.class,
        FuturesExecutorConfigurations.ProcessPoolPrestartConfiguration.class,
        FuturesExecutorConfigurations.AsyncConfiguration.class })
public final class FuturesAutoConfiguration {

    /** Bean name of the auto-configured {@link ThreadPoolExecutor}. */
    public static final String THREAD_POOL_BEAN_NAME = "futuresThreadPool";

    /** Bean name of the auto-configured {@link ProcessPoolExecutor}. */
    public static final String PROCESS_POOL_BEAN_NAME = "futuresProcessPool";

    /** Bean name of the {@link FuturesCallInterceptors} given to every pool the starter builds. */
    public static final String CALL_INTERCEPTORS_BEAN_NAME = "futuresCallInterceptors";

    /** Bean name of the {@link FuturesSanitizer} that masks secrets wherever the starter shows them. */
    public static final String SANITIZER_BEAN_NAME = "futuresSanitizer";

    /** Bean name of the check that starts one worker of each process pool at context refresh. */
    public static final String PROCESS_POOL_STARTUP_CHECK_BEAN_NAME = "futuresProcessPoolStartupCheck";

    /** Bean name of the prestart of the process pools whose {@code prestart} is on. */
    public static final String PROCESS_POOL_PRESTART_BEAN_NAME = "futuresProcessPoolPrestart";

    /** Bean name of the lifecycle that shuts the pools down when the context closes. */
    public static final String SHUTDOWN_LIFECYCLE_BEAN_NAME = "futuresShutdownLifecycle";

    /** Bean name of the first stage of the shutdown, which stops the pools marked cancel-futures. */
    public static final String SHUTDOWN_CANCEL_FIRST_BEAN_NAME = "futuresShutdownCancelFirstStage";

    /**
     * Bean name of the {@link org.springframework.core.task.AsyncTaskExecutor} over the thread pool:
     * Spring Boot's name for the application's task executor, which Spring MVC and {@code @Async} use.
     */
    public static final String APPLICATION_TASK_EXECUTOR_BEAN_NAME =
            TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME;
}
