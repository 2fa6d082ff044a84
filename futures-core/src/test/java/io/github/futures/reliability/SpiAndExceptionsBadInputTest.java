package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenExecutor;
import io.github.futures.BrokenProcessPool;
import io.github.futures.BrokenThreadPool;
import io.github.futures.CancelledError;
import io.github.futures.InvalidStateError;
import io.github.futures.MapOptions;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.TimeoutError;
import io.github.futures.spi.MapSupport;
import io.github.futures.spi.TaskListener;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Timeouts;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The public implementor's API ({@code io.github.futures.spi}) and the exception classes given null,
 * negative and absurd values.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpiAndExceptionsBadInputTest {

    /** Timeouts.toNanos refuses null naming the argument given; negative is 0; too large saturates. */
    @Test
    void timeoutsArithmeticNeverOverflows() {
        assertThatThrownBy(() -> Timeouts.toNanos(null, "deadline")).isInstanceOf(NullPointerException.class).hasMessageContaining("deadline");
        assertThat(Timeouts.toNanos(Duration.ofSeconds(-1), "t")).isZero();
        assertThat(Timeouts.toNanos(Duration.ofSeconds(Long.MIN_VALUE), "t")).isZero();
        assertThat(Timeouts.toNanos(Duration.ofDays(365_000), "t")).isEqualTo(Long.MAX_VALUE);
        assertThat(Timeouts.toNanos(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), "t")).isEqualTo(Long.MAX_VALUE);
        assertThat(Timeouts.toNanosOrForever(null)).isEqualTo(-1L);
        assertThat(Timeouts.toNanosOrForever(Duration.ofDays(365_000))).isEqualTo(-1L);
        assertThat(Timeouts.toNanosOrForever(Duration.ofNanos(-5))).isZero();
        assertThat(Timeouts.toNanosOrForever(Duration.ofMillis(3))).isEqualTo(3_000_000L);
    }

    /** MapSupport's entry points refuse nulls naming each argument. */
    @Test
    void mapSupportRefusesNullsNamingThem() {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            Function<Integer, Integer> id = x -> x;
            List<Integer> items = List.of(1);
            assertThatThrownBy(() -> MapSupport.map(null, id, items, MapOptions.DEFAULTS)).hasMessageContaining("executor");
            assertThatThrownBy(() -> MapSupport.map(pool, null, items, MapOptions.DEFAULTS)).hasMessageContaining("fn");
            assertThatThrownBy(() -> MapSupport.map(pool, id, null, MapOptions.DEFAULTS)).hasMessageContaining("items");
            assertThatThrownBy(() -> MapSupport.map(pool, id, items, null)).hasMessageContaining("options");
            assertThatThrownBy(() -> MapSupport.mapChunked(null, MapOptions.DEFAULTS, c -> null)).hasMessageContaining("items");
            assertThatThrownBy(() -> MapSupport.mapChunked(items, null, c -> null)).hasMessageContaining("options");
            assertThatThrownBy(() -> MapSupport.mapChunked(items, MapOptions.DEFAULTS, null)).hasMessageContaining("submitChunk");
            assertThatThrownBy(() -> MapSupport.zip(null, items)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> MapSupport.zip(items, null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> MapSupport.spread(null)).hasMessageContaining("fn");
            Blocking.assertUnharmed(pool);
        }
    }

    /** A chunk submitter that throws makes mapChunked throw that exception as is. */
    @Test
    void mapChunkedWithAThrowingSubmitterThrowsItsException() {
        assertThatThrownBy(() -> MapSupport.mapChunked(List.of(1, 2), MapOptions.DEFAULTS, chunk -> {
            throw new IllegalStateException("cannot submit");
        })).isInstanceOf(IllegalStateException.class).hasMessage("cannot submit");
    }

    /** TaskStats refuses a null listener naming it; removing one never added is harmless. */
    @Test
    void taskStatsListeners() {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            TaskStats stats = pool.taskStats();
            assertThatThrownBy(() -> stats.addListener(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("listener");
            stats.removeListener(null);
            stats.removeListener(new TaskListener() { });
            assertThat(stats.submittedCount()).isZero();
            Blocking.assertUnharmed(pool);
        }
    }

    /** Every exception class takes null message and cause in each of its three constructors. */
    @ParameterizedTest
    @ValueSource(classes = {CancelledError.class, TimeoutError.class, InvalidStateError.class, BrokenExecutor.class,
            BrokenThreadPool.class, BrokenProcessPool.class})
    void exceptionConstructorsAcceptNulls(Class<? extends Throwable> type) throws Exception {
        Constructor<? extends Throwable> none = type.getConstructor();
        Constructor<? extends Throwable> message = type.getConstructor(String.class);
        Constructor<? extends Throwable> both = type.getConstructor(String.class, Throwable.class);
        assertThat(none.newInstance().getMessage()).isNull();
        assertThat(message.newInstance((String) null).getMessage()).isNull();
        Throwable t = both.newInstance(null, null);
        assertThat(t.getMessage()).isNull();
        assertThat(t.getCause()).isNull();
        RuntimeException cause = new RuntimeException("c");
        assertThat(both.newInstance("m", cause)).hasMessage("m").hasCause(cause);
    }
}
