package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * A worker class path that does not hold the application's classes fails start-up (validate-on-startup) naming
 * {@code class-path}, the property at fault, not another one that is fine.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(QuietOutput.class) // the failure reports provoked here are checked, not printed
class FuturesClassPathStartupTests {

    private static void start(String... properties) {
        new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).properties(properties)
                .properties("spring.main.banner-mode=off", "spring.main.log-startup-info=false").run().close();
    }

    /** A class path without the library: the report names futures.process.class-path and says to check it. */
    @Test
    void classPathWithoutTheLibraryIsReportedAsTheClassPath(@TempDir Path empty, QuietOutput.Captured output) {
        String classPath = empty.resolve("missing.jar").toString();
        assertThatException().isThrownBy(() -> start("futures.thread.enabled=false",
                "futures.process.class-path=" + classPath));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value '" + classPath + "' for configuration property 'futures.process.class-path'")
                .contains("Could not find or load main class")
                .contains("Check futures.process.class-path");
    }

    /** The same with JVM options that are fine beside it: the class path is still the one named. */
    @Test
    void classPathIsNamedEvenWhenJvmArgsAreSet(@TempDir Path empty, QuietOutput.Captured output) {
        String classPath = empty.toString();
        assertThatException().isThrownBy(() -> start("futures.process.enabled=false",
                "futures.thread.enabled=false", "futures.executors.reports.kind=process",
                "futures.executors.reports.jvm-args=-Xmx64m", "futures.executors.reports.class-path=" + classPath));
        assertThat(output).contains("for configuration property 'futures.executors.reports.class-path'")
                .doesNotContain("for configuration property 'futures.executors.reports.jvm-args'");
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(FuturesAutoConfiguration.class)
    static class App {
    }
}
