package io.github.futures.autoconfigure;

import io.micrometer.observation.Observation;
import java.time.Duration;

/**
 * The context of a {@code futures.call} observation: one call of one pool, from its submit to the end of
 * its future. Read by observation conventions and handlers; its fields are set by the pool's interceptor.
 *
 * <p>The observation starts on the submitting thread when the call is accepted (so its duration is queue
 * wait plus execution) and stops when the call's future ends. When the call starts, an event named
 * {@value #STARTED_EVENT} is signalled and {@link #getQueueWait()} is known; when it ends,
 * {@link #getExecution()} and {@link #getOutcome()}.
 *
 * <p>Memory consistency: each field is written once, by whichever thread reports that step, and is volatile.
 *
 * @since 0.1.0
 */
public class FuturesCallObservationContext extends Observation.Context {

    /** Name of the event signalled when the call starts running (after its queue wait). */
    public static final String STARTED_EVENT = "futures.call.started";

    private final String pool;

    private final String kind;

    private final long submittedNanos = System.nanoTime();

    private volatile long startedNanos;

    private volatile Duration queueWait;

    private volatile Duration execution;

    private volatile String outcome;

    /**
     * A call of {@code pool}.
     *
     * @param pool the pool's bean name
     * @param kind {@code thread}, {@code process} or {@code cluster}
     */
    public FuturesCallObservationContext(String pool, String kind) {
        this.pool = pool;
        this.kind = kind;
    }

    /**
     * The pool's bean name.
     *
     * @return the name
     */
    public String getPool() {
        return this.pool;
    }

    /**
     * The pool's kind.
     *
     * @return {@code thread}, {@code process} or {@code cluster}
     */
    public String getKind() {
        return this.kind;
    }

    /**
     * How long the call waited between its submit and its start; {@code null} before it started, and for a
     * call that never started (cancelled or rejected while pending).
     *
     * @return the wait
     */
    public Duration getQueueWait() {
        return this.queueWait;
    }

    /**
     * How long the call ran, from its start to the end of its future; {@code null} before it ended and for a
     * call that never started.
     *
     * @return the execution time
     */
    public Duration getExecution() {
        return this.execution;
    }

    /**
     * How the call ended: {@code success}, {@code failure}, {@code timeout} (its call timeout passed),
     * {@code broken} (the pool broke under it), {@code cancelled}, {@code rejected} (not accepted); {@code null}
     * before it ended.
     *
     * @return the outcome
     */
    public String getOutcome() {
        return this.outcome;
    }

    void started() {
        long now = System.nanoTime();
        this.startedNanos = now;
        this.queueWait = Duration.ofNanos(now - this.submittedNanos);
    }

    void ended(String outcome) {
        long started = this.startedNanos;
        if (started != 0L) {
            this.execution = Duration.ofNanos(System.nanoTime() - started);
        }
        this.outcome = outcome;
    }
}
