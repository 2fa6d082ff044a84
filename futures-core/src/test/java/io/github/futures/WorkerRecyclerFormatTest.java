package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How the process pool prints durations in its messages. */
class WorkerRecyclerFormatTest {

    /** Durations in messages read as they were written. */
    @Test
    void durationsAreFormattedAsWritten() {
        assertThat(WorkerRecycler.format(Duration.ofSeconds(5).toNanos())).isEqualTo("5s");
        assertThat(WorkerRecycler.format(Duration.ofMillis(250).toNanos())).isEqualTo("250ms");
        assertThat(WorkerRecycler.format(1_500_000_000L)).isEqualTo("1500ms");
        assertThat(WorkerRecycler.format(1_500L)).isEqualTo("1500ns");
    }
}
