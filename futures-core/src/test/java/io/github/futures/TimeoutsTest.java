package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The package's timeout arithmetic given null, negative and absurd values. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TimeoutsTest {

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
}
