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
import io.github.futures.MapSupport;
import io.github.futures.spi.TaskListener;
import io.github.futures.spi.TaskStats;
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

    /** MapSupport's entry points refuse nulls naming each argument. */
    @Test
    void mapSupportRefusesNullsNamingThem() {
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(1)) {
            Function<Integer, Integer> id = x -> x;
            List<Integer> items = List.of(1);
            Function<Integer, io.github.futures.Future<Integer>> submit = x -> pool.submit(() -> id.apply(x));
            assertThatThrownBy(() -> MapSupport.map(null, items, MapOptions.DEFAULTS)).hasMessageContaining("submit");
            assertThatThrownBy(() -> MapSupport.map(submit, null, MapOptions.DEFAULTS)).hasMessageContaining("items");
            assertThatThrownBy(() -> MapSupport.map(submit, items, null)).hasMessageContaining("options");
            assertThat(MapSupport.map(submit, items, MapOptions.DEFAULTS).toList()).containsExactly(1);
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
