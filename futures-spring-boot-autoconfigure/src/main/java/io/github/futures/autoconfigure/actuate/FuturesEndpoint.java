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
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;
import io.github.futures.spi.PoolControl;
import io.github.futures.spi.Rebuildable;
import io.github.futures.spi.Resizable;
import io.github.futures.spi.WorkerControl;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
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
 * <p>Write operations, {@code POST /actuator/futures/{name}} with a JSON body naming the action, each
 * answering JSON that says what was done:
 * <ul>
 * <li>{@code {"action":"rebuild"}} rebuilds a broken pool that is {@link Rebuildable} (a process pool
 * whose worker died) with fresh workers;
 * <li>{@code {"action":"cancel-pending"}} cancels every call that has not started ({@link PoolControl});
 * <li>{@code {"action":"replace-worker","pid":1234}} kills one worker process and starts another
 * ({@link WorkerControl}); the call it ran fails with {@code TerminatedWorkerError};
 * <li>{@code {"action":"thread-dump"}} (every worker) or with {@code "pid"} (one worker process) answers
 * the dump as text in {@code threadDump};
 * <li>{@code {"action":"set-max-workers","maxWorkers":8}} changes the pool's size ({@link Resizable}).
 * </ul>
 * An unknown pool or pid answers 404, an action the pool does not support or a bad value 400, an
 * action the pool's state forbids (shut down, a worker already leaving) 409; each with a message.
 * The endpoint's default access is read-only, as for Boot's own endpoints that change things: the
 * operations exist only once the application grants it
 * ({@code management.endpoint.futures.access=unrestricted}).
 *
 * @since 0.1.0
 */
@Endpoint(id = "futures", defaultAccess = Access.READ_ONLY)
public class FuturesEndpoint {

    /** The action that rebuilds a broken pool. */
    public static final String REBUILD = "rebuild";

    /** The action that cancels every pending call of a pool. */
    public static final String CANCEL_PENDING = "cancel-pending";

    /** The action that replaces one worker process, by {@code pid}. */
    public static final String REPLACE_WORKER = "replace-worker";

    /** The action that answers a thread dump of the pool's workers, or of one worker process by {@code pid}. */
    public static final String THREAD_DUMP = "thread-dump";

    /** The action that changes a pool's {@code maxWorkers}. */
    public static final String SET_MAX_WORKERS = "set-max-workers";

    private static final List<String> ACTIONS = List.of(REBUILD, CANCEL_PENDING, REPLACE_WORKER, THREAD_DUMP,
            SET_MAX_WORKERS);

    private static final int STATUS_BAD_REQUEST = 400;

    private static final int STATUS_CONFLICT = 409;

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
    public WebEndpointResponse<ActionDescriptor> act(String name, String action) {
        return act(name, action, null, null);
    }

    /**
     * Acts on one executor (see the class comment for the actions).
     *
     * @param name the executor's bean name
     * @param action what to do: {@code rebuild}, {@code cancel-pending}, {@code replace-worker},
     *     {@code thread-dump} or {@code set-max-workers}
     * @param pid the worker process, for {@code replace-worker} (required) and {@code thread-dump}
     *     (optional)
     * @param maxWorkers the new size, for {@code set-max-workers}
     * @return what happened; 404 if there is no executor of that name or no worker of that pid, 400
     *     for a value or an action the pool does not support, 409 for one its state forbids
     * @throws InvalidEndpointRequestException (400) for an unknown action, and for {@code rebuild}
     *     a pool that cannot be rebuilt, or one that was shut down
     */
    @WriteOperation
    public WebEndpointResponse<ActionDescriptor> act(@Selector String name, String action, @Nullable Long pid,
                                                     @Nullable Integer maxWorkers) {
        ObservableExecutor executor = this.executors.get().get(name);
        if (executor == null) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        if (!ACTIONS.contains(action)) {
            throw new InvalidEndpointRequestException("Unknown action '" + action + "'; the actions are "
                    + String.join(", ", ACTIONS) + ".", "Unknown action");
        }
        if (REBUILD.equals(action)) {
            return rebuild(name, executor);
        }
        try {
            return switch (action) {
                case CANCEL_PENDING -> cancelPending(name, executor);
                case REPLACE_WORKER -> replaceWorker(name, executor, pid);
                case THREAD_DUMP -> threadDump(name, executor, pid);
                default -> setMaxWorkers(name, executor, maxWorkers);
            };
        } catch (NoSuchElementException ex) {
            return refused(name, action, executor, WebEndpointResponse.STATUS_NOT_FOUND, ex.getMessage());
        } catch (IllegalArgumentException | UnsupportedOperationException ex) {
            return refused(name, action, executor, STATUS_BAD_REQUEST, ex.getMessage());
        } catch (IllegalStateException ex) {
            return refused(name, action, executor, STATUS_CONFLICT, ex.getMessage());
        }
    }

    private WebEndpointResponse<ActionDescriptor> rebuild(String name, ObservableExecutor executor) {
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

    private WebEndpointResponse<ActionDescriptor> cancelPending(String name, ObservableExecutor executor) {
        int cancelled = control(name, executor, PoolControl.class, "cancel its pending calls").cancelPending();
        if (cancelled > 0) {
            logger.warn("Pool '" + name + "': " + cancelled + " pending calls were cancelled through the futures endpoint");
        }
        return new WebEndpointResponse<>(new ActionDescriptor(name, CANCEL_PENDING, cancelled > 0,
                executor.snapshot().state(), cancelled + " pending calls were cancelled; running calls go on.", cancelled,
                null, null, null));
    }

    private WebEndpointResponse<ActionDescriptor> replaceWorker(String name, ObservableExecutor executor, @Nullable Long pid) {
        WorkerControl control = control(name, executor, WorkerControl.class, "replace a worker (it has no worker processes)");
        if (pid == null) {
            throw new IllegalArgumentException("Action '" + REPLACE_WORKER + "' needs the worker's \"pid\" (see "
                    + "workers[].pid of /actuator/futures/" + name + ").");
        }
        String message = control.replaceWorker(pid);
        logger.warn("Pool '" + name + "': worker pid " + pid + " was replaced through the futures endpoint");
        return new WebEndpointResponse<>(new ActionDescriptor(name, REPLACE_WORKER, true, executor.snapshot().state(),
                message, null, pid, null, null));
    }

    private WebEndpointResponse<ActionDescriptor> threadDump(String name, ObservableExecutor executor, @Nullable Long pid) {
        String dump;
        if (pid == null) {
            dump = control(name, executor, PoolControl.class, "dump its threads").threadDump();
        } else {
            dump = control(name, executor, WorkerControl.class, "dump one worker by pid (it has no worker processes)")
                    .threadDump(pid);
        }
        return new WebEndpointResponse<>(new ActionDescriptor(name, THREAD_DUMP, true, executor.snapshot().state(),
                pid == null ? "The thread dump of every worker." : "The thread dump of worker pid " + pid + ".", null,
                pid, null, dump));
    }

    private WebEndpointResponse<ActionDescriptor> setMaxWorkers(String name, ObservableExecutor executor,
                                                                @Nullable Integer maxWorkers) {
        Resizable resizable = control(name, executor, Resizable.class, "be resized");
        if (maxWorkers == null) {
            throw new IllegalArgumentException("Action '" + SET_MAX_WORKERS + "' needs \"maxWorkers\", at least 1.");
        }
        int old = resizable.maxWorkers();
        resizable.setMaxWorkers(maxWorkers);
        logger.warn("Pool '" + name + "': maxWorkers changed from " + old + " to " + maxWorkers
                + " through the futures endpoint");
        String how = maxWorkers > old ? "; workers start as calls wait for them."
                : maxWorkers < old ? "; idle workers above it leave now, busy ones after their call." : "; it was that already.";
        return new WebEndpointResponse<>(new ActionDescriptor(name, SET_MAX_WORKERS, maxWorkers != old,
                executor.snapshot().state(), "maxWorkers is now " + maxWorkers + " (was " + old + ")" + how, null, null,
                maxWorkers, null));
    }

    private static <C> C control(String name, ObservableExecutor executor, Class<C> type, String what) {
        if (!type.isInstance(executor)) {
            throw new UnsupportedOperationException("Pool '" + name + "' (" + executor.kind() + ") cannot " + what + ".");
        }
        return type.cast(executor);
    }

    private WebEndpointResponse<ActionDescriptor> refused(String name, String action, ObservableExecutor executor,
                                                          int status, String message) {
        return new WebEndpointResponse<>(new ActionDescriptor(name, action, false, executor.snapshot().state(),
                this.sanitizer.text("message", message, false)), status);
    }

    private ExecutorDescriptor describe(String name, ObservableExecutor executor, boolean show) {
        ExecutorSnapshot s = executor.snapshot();
        Instant now = Instant.now();
        List<WorkerDescriptor> workers = new ArrayList<>();
        for (WorkerSnapshot w : s.workerDetails()) {
            workers.add(new WorkerDescriptor(this.sanitizer.text("name", w.name(), show), w.pid() < 0 ? null : w.pid(),
                    w.tasksCompleted(), w.busy(), w.startedAt(),
                    w.startedAt() == null ? null : Duration.between(w.startedAt(), now).toMillis(),
                    w.usedHeap() < 0 ? null : w.usedHeap()));
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
     * @param cancelled how many pending calls were cancelled ({@code cancel-pending}), or {@code null}
     * @param pid the worker process acted on, or {@code null}
     * @param maxWorkers the new maximum ({@code set-max-workers}), or {@code null}
     * @param threadDump the dump as text ({@code thread-dump}), or {@code null}
     */
    public record ActionDescriptor(String name, String action, boolean done, String state, String message,
                                   @Nullable Integer cancelled, @Nullable Long pid, @Nullable Integer maxWorkers,
                                   @Nullable String threadDump) implements OperationResponseBody {

        /**
         * What an action did, with nothing beside its message.
         *
         * @param name the executor's bean name
         * @param action the action
         * @param done whether it changed anything
         * @param state the executor's state afterwards
         * @param message what happened, for people
         */
        public ActionDescriptor(String name, String action, boolean done, String state, String message) {
            this(name, action, done, state, message, null, null, null, null);
        }
    }

    /**
     * One worker replacement.
     *
     * @param time when it happened
     * @param pid the worker process replaced, or {@code null}
     * @param reason why: {@code died}, {@code memory}, {@code max-tasks}, {@code timeout}, {@code cancel},
     *     {@code idle} or {@code request} (the {@code replace-worker} operation)
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
     * @param usedHeap a worker process's used heap in bytes, as it last reported it, or {@code null}
     */
    public record WorkerDescriptor(String name, Long pid, long tasksCompleted, boolean busy, Instant startedAt,
                                   Long uptimeMillis, @Nullable Long usedHeap) {

        /**
         * A worker whose used heap is unknown.
         *
         * @param name the thread's or worker's name
         * @param pid the worker process id, or {@code null} for a thread
         * @param tasksCompleted calls it finished
         * @param busy whether it runs a call now
         * @param startedAt when it started
         * @param uptimeMillis how long it has been alive, in milliseconds
         */
        public WorkerDescriptor(String name, Long pid, long tasksCompleted, boolean busy, Instant startedAt,
                                Long uptimeMillis) {
            this(name, pid, tasksCompleted, busy, startedAt, uptimeMillis, null);
        }
    }
}
