package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.MapOptions;
import io.github.futures.ThreadPoolExecutor;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code map} with a {@code buffersize} over an endless iterator runs in bounded memory: the
 * iterator is never more than {@code buffersize + 1} elements ahead of the consumer, however many
 * elements are consumed, and closing the stream cancels what is still in flight.
 *
 * <p>Size: {@code -Dstress.tasks=N} elements (default 50 000; the full run consumes 1 000 000).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // backstop only: the run checks its own, shorter limit
class MapBufferStressTest {

    private static final int BUFFERSIZE = 8;

    /** An iterator that never ends and records how far ahead of the consumer it was ever pulled. */
    private static final class EndlessCounter implements Iterator<Long> {
        final AtomicLong produced = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong maxAhead = new AtomicLong();

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public Long next() {
            long p = produced.getAndIncrement();
            long ahead = p + 1 - consumed.get();
            maxAhead.accumulateAndGet(ahead, Math::max);
            return p;
        }
    }

    /** An endless iterable mapped with buffersize 8 keeps at most 9 elements in flight. */
    @Test
    void endlessIteratorWithBuffersizeStaysWithinBuffersizePlusOneInFlight() {
        int n = StressSize.tasks();
        Duration budget = StressSize.budget(n);
        EndlessCounter source = new EndlessCounter();
        Iterable<Long> endless = () -> source;
        long start = System.nanoTime();
        long submittedAtClose;
        long cancelledAtClose;
        try (ThreadPoolExecutor pool = new ThreadPoolExecutor(4, "map-stress")) {
            try (Stream<Long> results = pool.map(x -> x * 3, endless,
                    MapOptions.DEFAULTS.withBuffersize(BUFFERSIZE).withTimeout(budget))) {
                Iterator<Long> it = results.iterator();
                for (long k = 0; k < n; k++) {
                    long v = it.next();
                    if (v != 3 * k) {
                        throw new AssertionError("element " + k + " is " + v + ", expected " + 3 * k);
                    }
                    source.consumed.incrementAndGet();
                }
                submittedAtClose = pool.taskStats().submittedCount();
            }
            // Closing the stream cancels what was still queued; the pool then drains and shuts down.
            pool.shutdown(true, false);
            cancelledAtClose = pool.taskStats().cancelledCount();
            assertThat(pool.taskStats().pendingCount()).isZero();
            assertThat(pool.taskStats().runningCount()).isZero();
        }
        long nanos = System.nanoTime() - start;
        System.out.printf("[reliability] MapBufferStressTest consumed=%d produced=%d maxAhead=%d submitted=%d"
                        + " cancelledAtClose=%d time=%.0fms (%.1f us/element)%n",
                n, source.produced.get(), source.maxAhead.get(), submittedAtClose, cancelledAtClose,
                nanos / 1e6, nanos / 1e3 / n);

        assertThat(source.consumed.get()).isEqualTo(n);
        assertThat(source.maxAhead.get()).as("elements pulled ahead of the consumer")
                .isLessThanOrEqualTo(BUFFERSIZE + 1);
        assertThat(source.produced.get()).as("elements pulled in total")
                .isBetween((long) n, (long) n + BUFFERSIZE + 1);
        assertThat(submittedAtClose).as("tasks submitted = elements pulled").isEqualTo(source.produced.get());
    }
}
