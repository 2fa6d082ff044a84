package io.github.futures.autoconfigure.web;

import io.github.futures.BrokenExecutor;
import io.github.futures.CancelledError;
import io.github.futures.TimeoutError;
import io.github.futures.autoconfigure.FuturesSanitizer;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ObservableExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * Answers the pools' failures in Spring MVC and Spring WebFlux controllers with RFC 9457 problem details, instead of a
 * bare 500 and a stack trace per request:
 * <ul>
 * <li>a {@link RejectedExecutionException} thrown by one of the library's pools (a pending limit
 * reached, or the pool shut down as the application stops): 503 with {@code Retry-After};</li>
 * <li>a {@link BrokenExecutor} (a broken pool): 503 with its sanitized reason and no
 * {@code Retry-After}, since a broken pool does not heal by itself;</li>
 * <li>a {@link CancelledError} (a call cancelled, as a batch pool's pending calls at shutdown): 503;</li>
 * <li>a {@link TimeoutError}: 504.</li>
 * </ul>
 *
 * <p>Which {@code RejectedExecutionException} is the library's: one created in a class of the
 * library's own packages ({@code io.github.futures}, {@code .spi}, {@code .process},
 * {@code .hazelcast}), read from the first frame of its stack trace. The JDK's and other libraries'
 * executors, and the application's own code (even in a package below {@code io.github.futures}),
 * throw it from elsewhere and are left to the application's handling. The library defines no marker
 * subclass for it, so this is the one reliable sign.
 *
 * <p>Logged once per pool state change, not per request: one line when a pool starts rejecting (and
 * again only after a quiet minute without rejections, with how many were answered meanwhile), one
 * line when a pool is found broken (and again only after it was seen running, as after a rebuild).
 *
 * <p>Runs at the lowest precedence, after the application's own {@code @ControllerAdvice} beans: an
 * application handler for any of these exceptions (or a supertype) wins.
 *
 * <p>Implementation note: {@code rejecting} maps a pool to its current episode of rejections; an
 * episode is replaced atomically in {@code compute}, and only the thread that started it logs.
 * Rejections by a pool that is no bean of the context share one episode ({@link #UNNAMED}), whatever
 * their messages say. {@code brokenSeen} holds the pools whose breakage was logged; a pool leaves it
 * when it is seen not broken; {@code unnamedBrokenSeen} holds the reasons logged for broken pools that
 * are no beans, at most {@link #MAX_UNNAMED_REASONS} (then it starts again). So what the handler keeps
 * is bounded by the executor beans, whatever the failures' messages (a pid, a count) make of them. All
 * are concurrent: requests fail on many threads at once.
 *
 * @since 0.1.0
 */
@ControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class FuturesMvcExceptionHandler {

    /** After this long without a rejection, the next one starts a new episode and is logged. */
    static final Duration QUIET = Duration.ofMinutes(1);

    private static final Set<String> LIBRARY_PACKAGES = Set.of("io.github.futures", "io.github.futures.spi",
            "io.github.futures.process", "io.github.futures.hazelcast");

    private static final Log logger = LogFactory.getLog(FuturesMvcExceptionHandler.class);

    private final Supplier<Map<String, ObservableExecutor>> executors;

    private final FuturesSanitizer sanitizer;

    private final long retryAfterSeconds;

    private final Map<String, Episode> rejecting = new ConcurrentHashMap<>();

    private final Set<String> brokenSeen = ConcurrentHashMap.newKeySet();

    /** The key of the one episode of rejections by pools that are no beans: no bean has an empty name. */
    static final String UNNAMED = "";

    /** At most this many reasons of broken pools that are no beans are remembered as logged. */
    static final int MAX_UNNAMED_REASONS = 64;

    private final Set<String> unnamedBrokenSeen = ConcurrentHashMap.newKeySet();

    /**
     * A handler that names the pools among those {@code executors} supplies.
     *
     * @param executors supplies the executor beans by name, on the error path only
     * @param sanitizer masks secrets in reasons
     * @param retryAfter the {@code Retry-After} of a rejection, rounded up to whole seconds, at least 1
     */
    public FuturesMvcExceptionHandler(Supplier<Map<String, ObservableExecutor>> executors, FuturesSanitizer sanitizer,
                                      Duration retryAfter) {
        this.executors = Objects.requireNonNull(executors, "executors");
        this.sanitizer = Objects.requireNonNull(sanitizer, "sanitizer");
        long millis = Math.max(0, retryAfter.toMillis());
        this.retryAfterSeconds = Math.max(1, (millis + 999) / 1000);
    }

    /**
     * 503 with {@code Retry-After} for a rejection by one of the library's pools; anything else is
     * rethrown, so that the application's handling applies.
     *
     * @param e the rejection
     * @return the answer
     * @throws RejectedExecutionException {@code e}, when it is not the library's
     */
    @ExceptionHandler(RejectedExecutionException.class)
    public ResponseEntity<ProblemDetail> rejected(RejectedExecutionException e) {
        if (!isLibrarys(e)) {
            throw e;
        }
        String message = this.sanitizer.text("message", e.getMessage(), false);
        String pool = poolNamedIn(e.getMessage());
        logRejection(pool != null ? pool : UNNAMED, pool, message);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                (pool != null ? "Pool '" + pool + "'" : "A pool") + " does not accept calls now (" + message
                        + "); retry after " + this.retryAfterSeconds + "s.");
        if (pool != null) {
            body.setProperty("pool", pool);
        }
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(this.retryAfterSeconds)).body(body);
    }

    /**
     * 503 with the broken pool's sanitized reason.
     *
     * @param e the failure
     * @return the answer
     */
    @ExceptionHandler(BrokenExecutor.class)
    public ResponseEntity<ProblemDetail> broken(BrokenExecutor e) {
        String reason = this.sanitizer.text("brokenReason", e.getMessage(), false);
        String pool = logBroken(e, reason);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                (pool != null ? "Pool '" + pool + "'" : "A pool") + " is broken: " + reason);
        if (pool != null) {
            body.setProperty("pool", pool);
        }
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    /**
     * 503 for a cancelled call.
     *
     * @param e the failure
     * @return the answer
     */
    @ExceptionHandler(CancelledError.class)
    public ResponseEntity<ProblemDetail> cancelled(CancelledError e) {
        logger.debug("Answering 503 for a cancelled call");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE, "The call was cancelled" + (e.getMessage() == null ? "."
                        : ": " + this.sanitizer.text("message", e.getMessage(), false))));
    }

    /**
     * 504 for a call that did not end in time.
     *
     * @param e the failure
     * @return the answer
     */
    @ExceptionHandler(TimeoutError.class)
    public ResponseEntity<ProblemDetail> timedOut(TimeoutError e) {
        logger.debug("Answering 504 for a call that timed out");
        return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(ProblemDetail.forStatusAndDetail(
                HttpStatus.GATEWAY_TIMEOUT, "The call did not end in time" + (e.getMessage() == null ? "."
                        : ": " + this.sanitizer.text("message", e.getMessage(), false))));
    }

    /**
     * Whether the library created {@code e}: the first frame of its stack trace is in one of the
     * library's packages.
     *
     * @param e the exception
     * @return whether it is the library's
     */
    static boolean isLibrarys(Throwable e) {
        StackTraceElement[] frames = e.getStackTrace();
        if (frames.length == 0) {
            return false;
        }
        String type = frames[0].getClassName();
        int dot = type.lastIndexOf('.');
        return dot > 0 && LIBRARY_PACKAGES.contains(type.substring(0, dot));
    }

    /** The longest executor bean name that the message quotes, or {@code null}. */
    private String poolNamedIn(String message) {
        if (message == null) {
            return null;
        }
        String found = null;
        for (String name : this.executors.get().keySet()) {
            if (message.contains(name) && (found == null || name.length() > found.length())) {
                found = name;
            }
        }
        return found;
    }

    private void logRejection(String key, String pool, String message) {
        long now = System.nanoTime();
        Episode[] ended = new Episode[1];
        boolean[] started = new boolean[1];
        this.rejecting.compute(key, (k, current) -> {
            if (current != null && now - current.last < QUIET.toNanos()) {
                current.last = now;
                current.count++;
                return current;
            }
            ended[0] = current;
            started[0] = true;
            return new Episode(now);
        });
        if (started[0] && logger.isWarnEnabled()) {
            logger.warn((pool != null ? "Pool '" + pool + "'" : "A pool") + " rejects calls (" + message
                    + "): answering 503 with Retry-After: " + this.retryAfterSeconds
                    + (ended[0] == null ? "" : "; " + ended[0].count + " rejected in its previous episode")
                    + ". Logged again after " + QUIET.toMinutes() + " minute(s) without a rejection.");
        }
    }

    /** Logs each newly broken pool once; forgets pools seen running again. Returns the broken pool's name. */
    private String logBroken(BrokenExecutor e, String reason) {
        String named = null;
        boolean any = false;
        for (Map.Entry<String, ObservableExecutor> entry : this.executors.get().entrySet()) {
            String name = entry.getKey();
            ExecutorSnapshot s;
            try {
                s = entry.getValue().snapshot();
            } catch (RuntimeException ex) {
                continue;
            }
            if (!ExecutorSnapshot.BROKEN.equals(s.state())) {
                this.brokenSeen.remove(name);
                continue;
            }
            any = true;
            if (named == null || Objects.equals(s.brokenReason(), e.getMessage())) {
                named = name;
            }
            if (this.brokenSeen.add(name)) {
                logger.warn("Pool '" + name + "' is broken (" + this.sanitizer.text("brokenReason", s.brokenReason(), false)
                        + "): its calls are answered 503 until it is rebuilt or the application restarts.");
            }
        }
        if (!any) {
            if (this.unnamedBrokenSeen.size() >= MAX_UNNAMED_REASONS) {
                this.unnamedBrokenSeen.clear();
            }
            if (this.unnamedBrokenSeen.add(reason)) {
                logger.warn("A pool is broken (" + reason + "): its calls are answered 503.");
            }
        }
        return named;
    }

    /** @return how many keys the handler keeps for logging once (episodes, broken pools, reasons) */
    int remembered() {
        return this.rejecting.size() + this.brokenSeen.size() + this.unnamedBrokenSeen.size();
    }

    /** Rejections of one pool less than {@link #QUIET} apart. Fields written inside {@code compute} only. */
    private static final class Episode {

        long last;

        long count = 1;

        Episode(long first) {
            this.last = first;
        }
    }
}
