package io.github.futures.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a pool as a whole or to one of its workers, as opposed to one call's
 * progress (which {@link TaskListener} reports). Executors publish events through
 * {@link TaskStats#publish(PoolEvent)}; the Spring Boot starter keeps the last ones for its events
 * endpoint and counts some of them as meters.
 *
 * @param time when it happened
 * @param type what happened
 * @param pid the worker process concerned, or {@code -1} when none (a thread pool, the pool as a whole)
 * @param reason a short machine-readable word: for {@link Type#WORKER_REPLACED} one of
 *               {@code died}, {@code memory}, {@code max-tasks}, {@code timeout}, {@code cancel},
 *               {@code idle}; otherwise free, or {@code null}
 * @param detail a sentence for people (an exit code or signal, a duration, a broken pool's reason),
 *               or {@code null}; never a call's arguments
 */
public record PoolEvent(Instant time, Type type, long pid, String reason, String detail) {

    /**
     * Checks the components.
     *
     * @param time when it happened
     * @param type what happened
     * @param pid the worker process concerned, or {@code -1}
     * @param reason a short machine-readable word, or {@code null}
     * @param detail a sentence for people, or {@code null}
     */
    public PoolEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
    }

    /**
     * An event that happened now.
     *
     * @param type what happened
     * @param pid the worker process concerned, or {@code -1}
     * @param reason a short machine-readable word, or {@code null}
     * @param detail a sentence for people, or {@code null}
     * @return the event
     */
    public static PoolEvent now(Type type, long pid, String reason, String detail) {
        return new PoolEvent(Instant.now(), type, pid, reason, detail);
    }

    /** What happened. */
    public enum Type {
        /** A worker (process or thread) was started; {@code detail} may say why. */
        WORKER_STARTED,
        /** A worker finished starting and can take calls; {@code detail} gives its start time. */
        WORKER_READY,
        /** A worker ended without being asked to; {@code detail} names exit code or signal. */
        WORKER_DIED,
        /** A worker was retired and another takes its place; {@code reason} says why. */
        WORKER_REPLACED,
        /** A worker left because it was idle, or because the pool shrank. */
        WORKER_RETIRED,
        /** A call ran past its call timeout and was stopped. */
        CALL_TIMED_OUT,
        /** A running call was cancelled with {@code cancel(true)} and stopped. */
        CALL_CANCELLED,
        /** A submit was refused because the pool's pending limit was reached. */
        CALL_REJECTED,
        /** The pool broke; {@code detail} is its reason. */
        POOL_BROKEN,
        /** A broken pool was rebuilt with fresh workers. */
        POOL_REBUILT,
        /** {@code shutdown} was called. */
        SHUTDOWN_STARTED,
        /** Every worker ended after shutdown. */
        TERMINATED
    }
}
