package io.github.futures.autoconfigure.actuate;

import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.WorkerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code futures} endpoint: the state, counts, workers and configuration of every futures
 * executor, read-only. {@code /actuator/futures} lists them all under {@code executors}, keyed by
 * bean name; {@code /actuator/futures/{name}} shows one (404 for an unknown name).
 *
 * <p>No secrets are shown: environment variables given to worker processes appear by name only, and
 * in JVM options the values of system properties whose names look secret ({@code password},
 * {@code secret}, {@code token}, {@code key}, {@code credentials}) are masked, as Spring Boot's
 * {@code env} endpoint masks such values.
 *
 * @since 0.1.0
 */
@Endpoint(id = "futures")
public class FuturesEndpoint {

    /** What a masked value is replaced with. */
    static final String MASK = "******";

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|token|key|credentials).*");

    private static final Pattern SYSTEM_PROPERTY = Pattern.compile("(-D)([^=]+)=(.*)", Pattern.DOTALL);

    private final Supplier<Map<String, ObservableExecutor>> executors;

    /**
     * An endpoint over the executors {@code executors} supplies, keyed by name.
     *
     * @param executors supplies the executors each time the endpoint is read
     */
    public FuturesEndpoint(Supplier<Map<String, ObservableExecutor>> executors) {
        this.executors = Objects.requireNonNull(executors, "executors");
    }

    /**
     * Every executor.
     *
     * @return the executors by name
     */
    @ReadOperation
    public ExecutorsDescriptor executors() {
        Map<String, ExecutorDescriptor> all = new LinkedHashMap<>();
        this.executors.get().forEach((name, executor) -> all.put(name, describe(name, executor)));
        return new ExecutorsDescriptor(all);
    }

    /**
     * One executor.
     *
     * @param name the executor's bean name
     * @return its description, or {@code null} (404) if there is none of that name
     */
    @ReadOperation
    public ExecutorDescriptor executor(@Selector String name) {
        ObservableExecutor executor = this.executors.get().get(name);
        return executor == null ? null : describe(name, executor);
    }

    private static ExecutorDescriptor describe(String name, ObservableExecutor executor) {
        ExecutorSnapshot s = executor.snapshot();
        Instant now = Instant.now();
        List<WorkerDescriptor> workers = new ArrayList<>();
        for (WorkerSnapshot w : s.workerDetails()) {
            workers.add(new WorkerDescriptor(w.name(), w.pid() < 0 ? null : w.pid(), w.tasksCompleted(), w.busy(),
                    w.startedAt(), w.startedAt() == null ? null : Duration.between(w.startedAt(), now).toMillis()));
        }
        return new ExecutorDescriptor(name, s.kind(), s.state(), s.brokenReason(), s.maxWorkers(), s.workers(),
                s.workersStarted(), s.pending(), s.running(), s.submitted(),
                new CompletedDescriptor(s.succeeded(), s.failed(), s.cancelled()), workers, sanitize(s.config()));
    }

    // ------------------------------------------------------------------ masking

    static Map<String, Object> sanitize(Map<String, ?> config) {
        Map<String, Object> out = new LinkedHashMap<>();
        config.forEach((key, value) -> out.put(key, sanitize(key, value)));
        return out;
    }

    private static Object sanitize(String key, Object value) {
        if (value == null) {
            return null;
        }
        String k = key.toLowerCase(java.util.Locale.ROOT);
        if (k.contains("env")) {
            // Environment variables: names only, never values.
            if (value instanceof Map<?, ?> env) {
                Map<String, Object> masked = new LinkedHashMap<>();
                env.keySet().forEach(name -> masked.put(String.valueOf(name), MASK));
                return masked;
            }
            if (value instanceof Iterable<?> names) {
                // A list of variable names; anything after an '=' would be a value.
                List<Object> masked = new ArrayList<>();
                names.forEach(name -> {
                    String n = String.valueOf(name);
                    int eq = n.indexOf('=');
                    masked.add(eq < 0 ? n : n.substring(0, eq) + "=" + MASK);
                });
                return masked;
            }
            return MASK;
        }
        if (SECRET_NAME.matcher(key).matches() && !(value instanceof Boolean) && !(value instanceof Number)) {
            return MASK;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> nested = new LinkedHashMap<>();
            map.forEach((name, v) -> nested.put(String.valueOf(name), sanitize(String.valueOf(name), v)));
            return nested;
        }
        if (value instanceof Iterable<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(item -> list.add(item instanceof String str ? maskJvmArg(str) : sanitize(key, item)));
            return list;
        }
        if (value instanceof String[] items) {
            List<Object> list = new ArrayList<>();
            for (String item : items) {
                list.add(maskJvmArg(item));
            }
            return list;
        }
        if (value instanceof String str) {
            return maskJvmArg(str);
        }
        return value;
    }

    /**
     * Masks the value of a {@code -Dname=value} option whose name looks secret.
     *
     * @param arg a JVM option
     * @return the option, its value masked if needed
     */
    static String maskJvmArg(String arg) {
        if (arg == null) {
            return null;
        }
        Matcher m = SYSTEM_PROPERTY.matcher(arg.strip());
        if (m.matches() && SECRET_NAME.matcher(m.group(2)).matches()) {
            return m.group(1) + m.group(2) + "=" + MASK;
        }
        return arg;
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
     * @param workers the live workers: each one's name, pid (process pools) or member (cluster), calls
     *     done, whether busy, start time and uptime
     * @param config the effective configuration, secrets masked
     */
    public record ExecutorDescriptor(String name, String kind, String state, String brokenReason, int maxWorkers,
                                     int liveWorkers, long workersStarted, long pending, long running, long submitted,
                                     CompletedDescriptor completed, List<WorkerDescriptor> workers,
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
