package io.github.futures.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.autoconfigure.FuturesAutoConfiguration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** futures.web.errors.retry-after: a negative time fails start-up naming the property, instead of becoming 1s. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FuturesRetryAfterPropertyTests {

    private final WebApplicationContextRunner webRunner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FuturesAutoConfiguration.class, FuturesWebErrorsAutoConfiguration.class))
            .withPropertyValues("futures.process.enabled=false", "futures.web.errors.enabled=true");

    /** -5s is refused with the property's name and what to write instead. */
    @Test
    void negativeRetryAfterFailsNamingTheProperty() {
        this.webRunner.withPropertyValues("futures.web.errors.retry-after=-5s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("futures.web.errors.retry-after")
                    .hasMessageContaining("Must not be negative");
        });
    }

    /** Below a second is rounded up to the one second a Retry-After can say, as documented; so is zero. */
    @Test
    void shortRetryAfterStarts() {
        this.webRunner.withPropertyValues("futures.web.errors.retry-after=200ms")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(FuturesMvcExceptionHandler.class));
        this.webRunner.withPropertyValues("futures.web.errors.retry-after=0s")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(FuturesMvcExceptionHandler.class));
    }
}
