package io.github.futures.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenThreadPool;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ObservableExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** When the HTTP answers for the pools' failures apply, and how a rejection is attributed to a pool. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesWebErrorsAutoConfigurationTests {

    private final WebApplicationContextRunner webRunner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesWebErrorsAutoConfiguration.class))
            .withPropertyValues("futures.process.enabled=false");

    /** Opt-in: without futures.web.errors.enabled there is no handler, and the application's errors are untouched. */
    @Test
    void handlerIsAbsentUnlessEnabled() {
        this.webRunner.run(context -> assertThat(context).doesNotHaveBean(FuturesMvcExceptionHandler.class));
        this.webRunner.withPropertyValues("futures.web.errors.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(FuturesMvcExceptionHandler.class));
        this.webRunner.withPropertyValues("futures.web.errors.enabled=true")
                .run(context -> assertThat(context).hasSingleBean(FuturesMvcExceptionHandler.class));
    }

    /** Not in an application that is not a servlet web application, nor without Spring MVC. */
    @Test
    void handlerNeedsAServletApplicationWithSpringMvc() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesWebErrorsAutoConfiguration.class))
                .withPropertyValues("futures.process.enabled=false", "futures.web.errors.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean(FuturesMvcExceptionHandler.class));
        this.webRunner.withPropertyValues("futures.web.errors.enabled=true")
                .withClassLoader(new FilteredClassLoader("org.springframework.web.servlet"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FuturesMvcExceptionHandler.class));
    }

    /**
     * A rejection created in a library class and naming an executor bean is answered for that pool; one created
     * elsewhere (as in the application's own package below io.github.futures) is rethrown.
     */
    /**
     * Failures of pools that are no beans, each with a message of its own (a pid, a count), keep the
     * handler's memory bounded. Regression: every distinct message was kept for ever, as an episode of
     * rejections or as a broken pool logged.
     */
    @Test
    void distinctMessagesOfUnnamedPoolsKeepTheHandlerBounded() {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "t")) {
            Map<String, ObservableExecutor> executors = Map.of("jobs", pool);
            FuturesMvcExceptionHandler handler = new FuturesMvcExceptionHandler(() -> executors, FuturesSanitizer.builtIn(),
                    Duration.ZERO);
            StackTraceElement[] inLibrary = { new StackTraceElement("io.github.futures.ThreadPool", "submit", null, 1) };
            for (int i = 0; i < 300; i++) { // each broken reason is logged once: 300 lines
                RejectedExecutionException rejected = new RejectedExecutionException("pool 'p" + i + "' has " + i
                        + " pending calls, its limit");
                rejected.setStackTrace(inLibrary);
                assertThat(handler.rejected(rejected).getStatusCode().value()).isEqualTo(503);
                BrokenThreadPool broken = new BrokenThreadPool("worker pid " + i + " failed");
                assertThat(handler.broken(broken).getStatusCode().value()).isEqualTo(503);
            }
            assertThat(handler.remembered()).as("keys kept after 600 distinct failures of pools that are no beans")
                    .isLessThanOrEqualTo(1 + FuturesMvcExceptionHandler.MAX_UNNAMED_REASONS);
        }
    }

    @Test
    void rejectionIsTheLibrarysOnlyWhenCreatedInTheLibrary() {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "t")) {
            Map<String, ObservableExecutor> executors = Map.of("jobs", pool, "jobsArchive", pool);
            FuturesMvcExceptionHandler handler = new FuturesMvcExceptionHandler(() -> executors, FuturesSanitizer.builtIn(),
                    Duration.ZERO);
            RejectedExecutionException library = new RejectedExecutionException("pool 'jobsArchive' has 10 pending calls, its limit");
            library.setStackTrace(new StackTraceElement[] { new StackTraceElement("io.github.futures.ThreadPool", "submit", null, 1) });
            ResponseEntity<ProblemDetail> answer = handler.rejected(library);
            assertThat(answer.getStatusCode().value()).isEqualTo(503);
            assertThat(answer.getHeaders().getFirst("Retry-After")).isEqualTo("1"); // at least one second
            assertThat(answer.getBody().getProperties()).containsEntry("pool", "jobsArchive");
            RejectedExecutionException application = new RejectedExecutionException("pool 'jobs' is full");
            application.setStackTrace(new StackTraceElement[] {
                    new StackTraceElement("io.github.futures.sample.JobService", "start", null, 1) });
            assertThat(FuturesMvcExceptionHandler.isLibrarys(application)).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> handler.rejected(application)).isSameAs(application);
        }
    }
}
