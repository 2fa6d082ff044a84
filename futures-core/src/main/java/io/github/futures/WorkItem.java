package io.github.futures;

import java.util.concurrent.ScheduledFuture;

/** A call on its way. */
final class WorkItem {
    final long id;
    final PoolFuture future;
    /** The whole TASK or MAP frame, kept until the outcome arrives (a revoked call is sent again). */
    final byte[] frame;
    /** What the call is (its class), for messages; never its arguments. */
    final String what;
    /** Whether the future was set running. Guarded by the pool lock. */
    boolean started;
    /** Whether a REVOKE was sent for it. Guarded by the pool lock. */
    boolean revoking;
    /** Whether cancel(true) asked to stop it: if its worker may be running it, the worker is ended. Guarded by the pool lock. */
    boolean stopWanted;
    /** Its call timeout, armed while it is the first call of a worker. Guarded by the pool lock. */
    ScheduledFuture<?> timer;
    /** The scope a call interceptor gave it, told of the start when it is first sent; or null. */
    final ScopedCall scope;

    WorkItem(long id, PoolFuture future, byte[] frame, String what, ScopedCall scope) {
        this.id = id;
        this.future = future;
        this.frame = frame;
        this.what = what;
        this.scope = scope;
    }
}
