package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.ThreadPoolExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code context.stop()} then {@code context.start()} (what Spring Cloud's pause and resume endpoints do, or an
 * operator through JMX) leaves the pools usable: a pool that was shut down cannot start again, so only closing
 * the context shuts them down.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesContextStopStartTests {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void poolsServeCallsAfterTheContextIsStoppedAndStartedAgainAndEndWhenItCloses() {
        ThreadPoolExecutor threads;
        ProcessPoolExecutor processes;
        ThreadPoolExecutor named;
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "spring.main.log-startup-info=false",
                        "futures.process.max-workers=1", "futures.process.validate-on-startup=false",
                        "futures.executors.batch.kind=thread", "futures.executors.batch.shutdown.cancel-futures=true")
                .run()) {
            threads = context.getBean(ThreadPoolExecutor.class);
            processes = context.getBean(ProcessPoolExecutor.class);
            named = context.getBean("batch", ThreadPoolExecutor.class);
            assertThat(threads.submit(() -> 1).result(WAIT)).isEqualTo(1);
            context.stop();
            context.start();
            assertThat(threads.submit(() -> 2).result(WAIT)).isEqualTo(2);
            assertThat(named.submit(() -> 3).result(WAIT)).isEqualTo(3);
            assertThat(processes.submit((SerializableCallable<Integer>) () -> 4).result(WAIT)).isEqualTo(4);
        }
        assertThat(threads.snapshot().state()).isEqualTo("shutdown");
        assertThat(named.snapshot().state()).isEqualTo("shutdown");
        assertThat(processes.snapshot().state()).isEqualTo("shutdown");
        assertThat(processes.awaitTermination(WAIT)).isTrue();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(FuturesAutoConfiguration.class)
    static class App {
    }
}
