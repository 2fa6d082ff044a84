package io.github.futures.autoconfigure.actuate;

import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.WorkerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import io.github.futures.spi.Rebuildable;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code futures} endpoint: the state, counts, workers and configuration of every futures
 * executor. {@code /actuator/futures} lists them all under {@code executors}, keyed by
 * bean name; {@code /actuator/futures/{name}} shows one (404 for an unknown name).
 *
 * <p>Secrets are masked by the {@link FuturesSanitizer} in the configuration, the broken reason and
 * the workers' names, as Spring Boot's {@code env} endpoint masks them: the application's
 * {@code SanitizingFunction} beans apply, and {@code management.endpoint.futures.show-values}
 * ({@code never}, the default; {@code when-authorized}, for a principal in one of
 * {@code management.endpoint.futures.roles}; {@code always}) says when values that look secret are
 * shown. Environment variables given to worker processes appear by name only.
 *
 * <p>One write operation, {@code POST /actuator/futures/{name}} with {@code {"action":"rebuild"}},
 * rebuilds a broken pool that is {@link Rebuildable} (a process pool whose worker died) with fresh
 * workers. The endpoint's default access is read-only, as for Boot's own endpoints that change
 * things: the operation exists only once the application grants it
 * ({@code management.endpoint.futures.access=unrestricted}).
 *
 * @since 0.1.0
 */
@Endpoint(id = "futures", defaultAccess = Access.READ_ONLY)
public class FuturesEndpoint {

    /** The action that rebuilds a broken pool. */
    public static final String REBUILD = "rebuild";

    private static final Log logger = LogFactory.getLog(FuturesEndpoint.class);

    private final Supplier<Map<String, ObservableExecutor>> executors;

    private final FuturesSanitizer sanitizer;

    private final Show showValues;

    private final Set<String> roles;

    /**
     * An endpoint over the executors {@code executors} supplies, keyed by name, that masks what looks
     * secret ({@code show-values=never}).
     *
     * @param executors supplies the executors each time the endpoint is read
     */
    public FuturesEndpoint(Supplier<Map<String, ObservableExecutor>> executors) {
        this(executors, FuturesSanitizer.builtIn(), Show.NEVER, Set.of());
    }

    /**
     * An endpoint over the executors {@code executors} supplies, keyed by name.
     *
     * @param executors supplies the executors each time the endpoint is read
     * @param sanitizer masks secrets in configuration, broken reasons and worker names
     * @param showValues when values are shown unmasked
     * @param roles the roles that may see them with {@link Show#WHEN_AUTHORIZED}; empty: any
     *     authenticated principal
     */
    public FuturesEndpoint(Supplier<Map<String, ObservableExecutor>> executors, FuturesSanitizer sanitizer,
                           Show showValues, Set<String> roles) {
        this.executors = Objects.requireNonNull(executors, "executors");
        this.sanitizer = Objects.requireNonNull(sanitizer, "sanitizer");
        this.showValues = Objects.requireNonNull(showValues, "showValues");
        this.roles = Set.copyOf(roles);
    }

    /**
     * Every executor.
     *
     * @param securityContext the caller, who may be allowed to see values unmasked
     * @return the executors by name
     */
    @ReadOperation
    public ExecutorsDescriptor executors(SecurityContext securityContext) {
        boolean show = this.showValues.isShown(securityContext, this.roles);
        Map<String, ExecutorDescriptor> all = new LinkedHashMap<>();
        this.executors.get().forEach((name, executor) -> all.put(name, describe(name, executor, show)));
        return new ExecutorsDescriptor(all);
    }

    /**
     * Every executor, as an unauthenticated caller sees them.
     *
     * @return the executors by name
     */
    public ExecutorsDescriptor executors() {
        return executors(SecurityContext.NONE);
    }

    /**
     * One executor.
     *
     * @param securityContext the caller, who may be allowed to see values unmasked
     * @param name the executor's bean name
     * @return its description, or {@code null} (404) if there is none of that name
     */
    @ReadOperation
    public ExecutorDescriptor executor(SecurityContext securityContext, @Selector String name) {
        ObservableExecutor executor = this.executors.get().get(name);
        return executor == null ? null : describe(name, executor, this.showValues.isShown(securityContext, this.roles));
    }

    /**
     * One executor, as an unauthenticated caller sees it.
     *
     * @param name the executor's bean name
     * @return its description, or {@code null} if there is none of that name
     */
    public ExecutorDescriptor executor(String name) {
        return executor(SecurityContext.NONE, name);
    }

    /**
     * Acts on one executor: {@code rebuild} rebuilds it if it is broken.
     *
     * @param name the executor's bean name
     * @param action what to do: {@code rebuild}
     * @return what happened; 404 if there is no executor of that name (a write operation's
     *     {@code null} would answer 204)
     * @throws InvalidEndpointRequestException (400) for an unknown action, a pool that cannot be
     *     rebuilt, or one that was shut down
     */
    @WriteOperation
    public WebEndpointResponse<ActionDescriptor> act(@Selector String name, String action) {
        ObservableExecutor executor = this.executors.get().get(name);
        if (executor == null) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        if (!REBUILD.equals(action)) {
            throw new InvalidEndpointRequestException("Unknown action '" + action + "'; the one action is '"
                    + REBUILD + "'.", "Unknown action");
        }
        if (!(executor instanceof Rebuildable rebuildable)) {
            throw new InvalidEndpointRequestException("Pool '" + name + "' (" + executor.kind()
                    + ") cannot be rebuilt: it does not break for good.", "Not rebuildable");
        }
        String reason = executor.snapshot().brokenReason();
        boolean rebuilt;
        try {
            rebuilt = rebuildable.rebuild();
        } catch (IllegalStateException e) {
            throw new InvalidEndpointRequestException("Pool '" + name + "' cannot be rebuilt: it was shut down.",
                    "Shut down");
        }
        String state = executor.snapshot().state();
        if (rebuilt) {
            logger.warn("Pool '" + name + "' was rebuilt through the futures endpoint; it was broken ("
                    + this.sanitizer.text("brokenReason", reason, false) + ")");
        }
        return new WebEndpointResponse<>(new ActionDescriptor(name, REBUILD, rebuilt, state, rebuilt
                ? "The pool was broken and was rebuilt with fresh workers."
                : "The pool was not broken; nothing was done."));
    }

    private ExecutorDescriptor describe(String name, ObservableExecutor executor, boolean show) {
        ExecutorSnapshot s = executor.snapshot();
        Instant now = Instant.now();
        List<WorkerDescriptor> workers = new ArrayList<>();
        for (WorkerSnapshot w : s.workerDetails()) {
            workers.add(new WorkerDescriptor(this.sanitizer.text("name", w.name(), show), w.pid() < 0 ? null : w.pid(),
                    w.tasksCompleted(), w.busy(), w.startedAt(),
                    w.startedAt() == null ? null : Duration.between(w.startedAt(), now).toMillis()));
        }
        TaskStats stats = executor.taskStats();
        List<ReplacementDescriptor> replacements = new ArrayList<>();
        for (PoolEvent e : stats.lastReplacements()) {
            replacements.add(new ReplacementDescriptor(e.time(), e.pid() < 0 ? null : e.pid(), e.reason(),
                    this.sanitizer.text("detail", e.detail(), show)));
        }
        return new ExecutorDescriptor(name, s.kind(), s.state(), this.sanitizer.text("brokenReason", s.brokenReason(), show),
                s.maxWorkers(), s.workers(), s.workersStarted(), s.pending(), s.running(), s.submitted(),
                new CompletedDescriptor(s.succeeded(), s.failed(), s.cancelled()), stats.rejectedCount(),
                stats.timedOutCount(), stats.replacedCounts(), replacements, workers,
                this.sanitizer.config(s.config(), show));
    }

    // ------------------------------------------------------------------ descriptors

    /**
     * The executors, by name.
     *
     * @param executors each executor's description
     */
    public record ExecutorsDescriptor(Map<String, ExecutorDescriptor> executors) implements OperationResponseBody {
    }

    /**
     * One executor.
     *
     * @param name the bean name
     * @param kind {@code thread} or {@code process}
     * @param state {@code running}, {@code shutdown} or {@code broken}
     * @param brokenReason why it is broken, or {@code null}
     * @param maxWorkers the maximum number of workers
     * @param liveWorkers the number of live workers
     * @param workersStarted workers ever started
     * @param pending futures not started
     * @param running futures running
     * @param submitted submissions accepted
     * @param completed futures done, by outcome
     * @param rejected submissions refused at the pending limit
     * @param timedOut calls stopped at their call timeout
     * @param replaced workers replaced, by reason
     * @param lastReplacements the last worker replacements, oldest first
     * @param workers the live workers: each one's name, pid (process pools) or member (cluster), calls
     *     done, whether busy, start time and uptime
     * @param config the effective configuration, secrets masked
     */
    public record ExecutorDescriptor(String name, String kind, String state, String brokenReason, int maxWorkers,
                                     int liveWorkers, long workersStarted, long pending, long running, long submitted,
                                     CompletedDescriptor completed, long rejected, long timedOut,
                                     Map<String, Long> replaced, List<ReplacementDescriptor> lastReplacements,
                                     List<WorkerDescriptor> workers,
                                     Map<String, Object> config) implements OperationResponseBody {
    }

    /**
     * Futures done, by outcome.
     *
     * @param success finished with a result
     * @param failure finished with an exception
     * @param cancelled cancelled
     */
    public record CompletedDescriptor(long success, long failure, long cancelled) {
    }

    /**
     * What a write operation did.
     *
     * @param name the executor's bean name
     * @param action the action
     * @param done whether it changed anything
     * @param state the executor's state afterwards
     * @param message what happened, for people
     */
    public record ActionDescriptor(String name, String action, boolean done, String state, String message)
            implements OperationResponseBody {
    }

    /**
     * One worker replacement.
     *
     * @param time when it happened
     * @param pid the worker process replaced, or {@code null}
     * @param reason why: {@code died}, {@code memory}, {@code max-tasks}, {@code timeout}, {@code cancel}
     *     or {@code idle}
     * @param detail a sentence for people, or {@code null}
     */
    public record ReplacementDescriptor(Instant time, Long pid, String reason, String detail) {
    }

    /**
     * One live worker.
     *
     * @param name the thread's or worker's name
     * @param pid the worker process id, or {@code null} for a thread
     * @param tasksCompleted calls it finished
     * @param busy whether it runs a call now
     * @param startedAt when it started
     * @param uptimeMillis how long it has been alive, in milliseconds
     */
    public record WorkerDescriptor(String name, Long pid, long tasksCompleted, boolean busy, Instant startedAt,
                                   Long uptimeMillis) {
    }
}
