package io.github.futures;

/** A call on its way. */
final class WorkItem {
    final long id;
    final TrackedFuture<Object> future;
    /** The whole TASK or MAP frame, kept until the outcome arrives (a revoked call is sent again). */
    final byte[] frame;
    /** Whether the future was set running. Guarded by the pool lock. */
    boolean started;
    /** Whether a REVOKE was sent for it. Guarded by the pool lock. */
    boolean revoking;

    WorkItem(long id, TrackedFuture<Object> future, byte[] frame) {
        this.id = id;
        this.future = future;
        this.frame = frame;
    }
}
