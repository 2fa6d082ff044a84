package io.github.futures.autoconfigure.actuate;

import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of the futures executors: {@code DOWN} when any pool is broken (its details say which and
 * why, for example the dead worker's pid and exit code), {@code UP} otherwise, with a small summary
 * per pool. A pool that was shut down (as during context close) is not a failure. The reason goes
 * through the {@link FuturesSanitizer}: secrets in a worker's command line are masked unless
 * {@code management.endpoint.futures.show-values} is {@code always}.
 *
 * @since 0.1.0
 */
public class FuturesHealthIndicator extends AbstractHealthIndicator {

    private final Supplier<Map<String, ObservableExecutor>> executors;

    private final FuturesSanitizer sanitizer;

    private final boolean showValues;

    /**
     * A health indicator over the executors {@code executors} supplies, keyed by name, that masks
     * what looks secret in a broken pool's reason.
     *
     * @param executors supplies the executors on each check
     */
    public FuturesHealthIndicator(Supplier<Map<String, ObservableExecutor>> executors) {
        this(executors, FuturesSanitizer.builtIn(), false);
    }

    /**
     * A health indicator over the executors {@code executors} supplies, keyed by name.
     *
     * @param executors supplies the executors on each check
     * @param sanitizer masks secrets in a broken pool's reason (a worker's command line, say)
     * @param showValues whether values that look secret are shown unmasked
     */
    public FuturesHealthIndicator(Supplier<Map<String, ObservableExecutor>> executors, FuturesSanitizer sanitizer,
                                  boolean showValues) {
        super("Futures executors health check failed");
        this.executors = Objects.requireNonNull(executors, "executors");
        this.sanitizer = Objects.requireNonNull(sanitizer, "sanitizer");
        this.showValues = showValues;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Status status = Status.UP;
        for (Map.Entry<String, ObservableExecutor> e : this.executors.get().entrySet()) {
            ExecutorSnapshot s = e.getValue().snapshot();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("kind", s.kind());
            summary.put("state", s.state());
            summary.put("workers", s.workers());
            summary.put("maxWorkers", s.maxWorkers());
            summary.put("pending", s.pending());
            summary.put("running", s.running());
            if (ExecutorSnapshot.BROKEN.equals(s.state())) {
                status = Status.DOWN;
                summary.put("reason", this.sanitizer.text("brokenReason", s.brokenReason(), this.showValues));
            }
            builder.withDetail(e.getKey(), summary);
        }
        builder.status(status);
    }
}
