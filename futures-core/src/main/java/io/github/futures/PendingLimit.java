package io.github.futures;

import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.TaskStats;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool's bound on pending calls ({@code maxPending}): a submit takes a slot or is rejected at once,
 * and the slot comes back when its future leaves PENDING (its call starts, or it is cancelled or
 * failed before it started). Not for application code: part of the executor implementor's API.
 *
 * <p>Implementation note: one atomic count, taken with a compare-and-set that never goes past the
 * limit, so that the bound holds however many threads submit at once, without a lock; a slot is
 * returned exactly once, by the {@link TrackedFuture} holding it ({@link TrackedFuture#holdPendingSlot}).
 */
final class PendingLimit {

    private final int max;
    private final String poolName;
    private final TaskStats stats;
    private final AtomicInteger pending = new AtomicInteger();

    /**
     * Checks a builder's {@code maxPending}.
     *
     * @param maxPending the value
     * @return the value
     * @throws IllegalArgumentException if it is below 1
     */
    static int checkMax(int maxPending) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1, got " + maxPending
                    + "; leave it unset for no limit");
        }
        return maxPending;
    }

    /**
     * A limit of {@code max} pending calls.
     *
     * @param max the limit, at least 1
     * @param poolName the pool's name, for the rejection's message
     * @param stats where rejections are published
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public PendingLimit(int max, String poolName, TaskStats stats) {
        if (max < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1, got " + max);
        }
        this.max = max;
        this.poolName = poolName;
        this.stats = stats;
    }

    /**
     * Takes a slot.
     *
     * @return {@code false} if {@code max} calls are pending
     */
    public boolean tryAcquire() {
        for (;;) {
            int p = pending.get();
            if (p >= max) {
                return false;
            }
            if (pending.compareAndSet(p, p + 1)) {
                return true;
            }
        }
    }

    /** Gives a slot back. */
    public void release() {
        pending.decrementAndGet();
    }

    /**
     * Takes a slot for {@code future}, which gives it back when it leaves PENDING.
     *
     * @param future the new future of the call being submitted
     * @throws RejectedExecutionException if {@code max} calls are pending (a {@code CALL_REJECTED}
     *     event is published)
     */
    public void acquireFor(TrackedFuture<?> future) {
        if (!tryAcquire()) {
            throw rejected();
        }
        future.holdPendingSlot(this);
    }

    /**
     * Publishes a {@code CALL_REJECTED} event and returns the exception a refused submit throws.
     *
     * @return the exception, naming the pool and the limit and how to raise it
     */
    public RejectedExecutionException rejected() {
        String detail = poolName + " has " + max + " pending calls, its maxPending limit";
        stats.publish(PoolEvent.now(PoolEvent.Type.CALL_REJECTED, -1L, "max-pending", detail));
        return new RejectedExecutionException(detail + ": the call was rejected. Retry later, or raise the limit "
                + "with builder().maxPending(int) (Spring Boot property max-pending)");
    }

    /** @return the limit */
    public int max() {
        return max;
    }

    /** @return calls pending now (slots taken) */
    public int pending() {
        return pending.get();
    }
}
