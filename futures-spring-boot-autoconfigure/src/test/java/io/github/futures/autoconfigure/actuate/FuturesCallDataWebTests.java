package io.github.futures.autoconfigure.actuate;

import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.TimeoutError;
import io.github.futures.spi.PoolEvent;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a call carries (its arguments, the values it captured) is the application's data: it never reaches the
 * {@code futures} and {@code futuresevents} endpoints nor the log, whatever the pool has to say about the call.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(OutputCaptureExtension.class)
class FuturesCallDataWebTests {

    private static final String CARD = "4111111111111111";

    private final FuturesEndpointWeb web = new FuturesEndpointWeb();

    /** A call as applications write them, a record: its toString shows every argument. */
    record ChargeCard(String cardNumber, CountDownLatch started, CountDownLatch release) implements Callable<String> {

        /** Ignores interrupts until released, as a call blocked in a library that swallows them. */
        @Override
        public String call() {
            this.started.countDown();
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        if (this.release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                            return "charged";
                        }
                        return "gave up";
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * A call abandoned at its call timeout (it ignored the interrupt) is named by its class in the log, the
     * events and the pool's last replacements: never by its toString, which holds its arguments.
     */
    @Test
    void abandonedCallIsNamedWithoutItsArguments(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext context = FuturesEndpointWeb.start(WebApplication.class, 1,
                "management.endpoints.web.exposure.include=futures,futuresevents", "futures.thread.call-timeout=200ms")) {
            ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
            CountDownLatch abandoned = new CountDownLatch(1);
            pool.taskStats().addEventListener(e -> {
                if (e.type() == PoolEvent.Type.WORKER_REPLACED) {
                    abandoned.countDown();
                }
            });
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try {
                Future<String> charge = pool.submit(new ChargeCard(CARD, started, release));
                assertThat(started.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                assertThat(charge.exception(WAIT)).isInstanceOf(TimeoutError.class);
                assertThat(abandoned.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the call was abandoned").isTrue();
                HttpResponse<String> events = this.web.response(context, "/actuator/futuresevents");
                assertThat(events.statusCode()).isEqualTo(200);
                assertThat(events.body()).contains("WORKER_REPLACED", ChargeCard.class.getName()).doesNotContain(CARD);
                HttpResponse<String> futures = this.web.response(context, "/actuator/futures/futuresThreadPool");
                assertThat(futures.statusCode()).isEqualTo(200);
                assertThat(futures.body()).contains("\"reason\":\"timeout\"").doesNotContain(CARD);
                assertThat(output).contains("was abandoned").doesNotContain(CARD);
            } finally {
                release.countDown();
            }
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {
    }
}
