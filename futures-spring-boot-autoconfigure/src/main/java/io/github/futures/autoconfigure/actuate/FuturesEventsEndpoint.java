package io.github.futures.autoconfigure.actuate;

import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.PoolEvent;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code futuresevents} endpoint: the last pool events (worker started, ready, died, replaced;
 * call timed out, cancelled or rejected; pool broken or rebuilt; shutdown phases) of every executor
 * bean, oldest first, from a {@link FuturesEventLog}. {@code /actuator/futuresevents?pool=name}
 * shows one pool's. A detail and a reason go through the {@link FuturesSanitizer} with the
 * {@code futures} endpoint's {@code show-values} and {@code roles}: pools never put a call's
 * arguments there, but a broken pool's reason may quote a worker's command line.
 *
 * @since 0.1.0
 */
@Endpoint(id = "futuresevents")
public class FuturesEventsEndpoint {

    private final FuturesEventLog log;

    private final FuturesSanitizer sanitizer;

    private final Show showValues;

    private final Set<String> roles;

    /**
     * An endpoint over {@code log}.
     *
     * @param log the events
     * @param sanitizer masks secrets in details
     * @param showValues when values are shown unmasked
     * @param roles the roles that may see them with {@link Show#WHEN_AUTHORIZED}
     */
    public FuturesEventsEndpoint(FuturesEventLog log, FuturesSanitizer sanitizer, Show showValues, Set<String> roles) {
        this.log = Objects.requireNonNull(log, "log");
        this.sanitizer = Objects.requireNonNull(sanitizer, "sanitizer");
        this.showValues = Objects.requireNonNull(showValues, "showValues");
        this.roles = Set.copyOf(roles);
    }

    /**
     * The events kept, oldest first; only those of {@code pool} when it is given.
     *
     * @param securityContext the caller, who may be allowed to see values unmasked
     * @param pool a pool's bean name, or {@code null} for all pools
     * @return the events
     */
    @ReadOperation
    public EventsDescriptor events(SecurityContext securityContext, @Nullable String pool) {
        boolean show = this.showValues.isShown(securityContext, this.roles);
        return new EventsDescriptor(this.log.events().stream()
                .filter(entry -> pool == null || pool.equals(entry.pool()))
                .map(entry -> describe(entry, show)).toList());
    }

    private EventDescriptor describe(FuturesEventLog.Entry entry, boolean show) {
        PoolEvent e = entry.event();
        return new EventDescriptor(e.time(), entry.pool(), e.type().name(), e.pid() < 0 ? null : e.pid(),
                this.sanitizer.text("reason", e.reason(), show), this.sanitizer.text("detail", e.detail(), show));
    }

    /**
     * The events, oldest first.
     *
     * @param events the events
     */
    public record EventsDescriptor(List<EventDescriptor> events) implements OperationResponseBody {
    }

    /**
     * One event.
     *
     * @param time when it happened
     * @param pool the executor's bean name
     * @param type what happened, a {@link PoolEvent.Type} name
     * @param pid the worker process concerned, or {@code null}
     * @param reason a short machine-readable word, or {@code null}
     * @param detail a sentence for people, or {@code null}
     */
    public record EventDescriptor(Instant time, String pool, String type, Long pid, String reason, String detail) {
    }
}
