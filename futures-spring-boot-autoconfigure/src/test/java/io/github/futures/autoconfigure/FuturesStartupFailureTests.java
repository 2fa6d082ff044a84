package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** What a user sees when a property has a bad value: Spring Boot's failure report names it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class FuturesStartupFailureTests {

    private static void start(String... properties) {
        new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off").run().close();
    }

    @Test
    void badMaxWorkersIsReportedWithThePropertyAndWhatToDo(CapturedOutput output) {
        assertThatException().isThrownBy(() -> start("futures.thread.max-workers=0"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.thread.max-workers")
                .contains("Must be at least 1")
                .contains("Action:");
    }

    @Test
    void unknownKindIsReportedWithThePropertyAndTheAllowedValues(CapturedOutput output) {
        assertThatException().isThrownBy(() -> start("futures.executors.io.kind=fiber"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.executors.io.kind")
                .contains("fiber")
                .contains("The following values are valid").contains("THREAD").contains("PROCESS");
    }

    /** A malformed serial filter fails start-up naming the property, not the first call. */
    @Test
    void badSerialFilterIsReportedWithTheProperty(CapturedOutput output) {
        assertThatException().isThrownBy(() -> start("futures.process.serial-filter=java.**;!*;maxdepth=deep"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.process.serial-filter")
                .contains("Not a java.io.ObjectInputFilter pattern");
    }

    /** A message size the wire cannot carry fails start-up naming the named pool's property. */
    @Test
    void badMaxMessageSizeIsReportedWithTheProperty(CapturedOutput output) {
        assertThatException().isThrownBy(() -> start("futures.executors.reports.kind=process",
                "futures.executors.reports.max-message-size=3GB"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("futures.executors.reports.max-message-size")
                .contains("Must be at least 1KB and below 2GB");
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(FuturesAutoConfiguration.class)
    static class App {
    }
}
