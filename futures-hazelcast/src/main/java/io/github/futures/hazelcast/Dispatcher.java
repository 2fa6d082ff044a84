package io.github.futures.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MemberSelector;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.github.futures.BrokenExecutor;
import io.github.futures.CancelledError;
import io.github.futures.InvalidStateError;
import io.github.futures.ScopedCall;
import io.github.futures.TrackedFuture;
import io.github.futures.spi.HandOffThreads;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Sends one {@link ClusterExecutor}'s calls to members and settles what comes back: the local
 * queue, the permits that bound the calls in flight, the attempts, retries after a member loss, and
 * the broken state.
 *
 * <pre>
 *   submit ──► waiting (FIFO, PENDING, cancellable)
 *                 │ pump(): take a permit, setRunningOrNotifyCancel()
 *                 ▼
 *              dispatch(): choose() the least busy member ──► Attempt ──► IExecutorService.submitToMember
 *                 ▲                                               │
 *                 │ retry / redelivery                            ▼ settled exactly once, by
 *                 └──────────────────────────── Hazelcast's completion (value, exception, failure)
 *                                               or MemberTable's removal of the member
 *                                               (unless Hazelcast already holds the answer)
 *                                                             │
 *                                  permit released, future completed ──► pump()
 * </pre>
 *
 * <p>Implementation note.
 *
 * <p>Back-pressure: {@code permits} starts at maxWorkers; a permit is held from dispatch until the
 * call is done. By default maxWorkers follows the membership (the pool size per eligible member): a
 * join or a leave adds its difference to {@code permits}, which may then be negative for a while;
 * {@link #setMaxWorkers} fixes the bound (the membership no longer moves it) and adds its difference the same way. {@link #pump} is lock-free: a submitter offers then checks permits, a finisher
 * releases then checks the queue, so one of them always sees both (no lost wake-up). {@code pump}
 * is called at the end of every entry point (submit, Hazelcast completion, membership event); code
 * that completes a call inside those never pumps itself, so recursion stays bounded.
 *
 * <p>Attempt states: in flight -> settled (CAS on {@code settled}). Whoever settles it removes it
 * from its member slot and decides: complete the future, fail it, or dispatch a new Attempt (retry).
 * {@code remote} (Hazelcast's future, for {@link #abort}) is written once before the attempt can be
 * aborted through its slot's set, which publishes it.
 *
 * <p>Broken (an initializer failed on a member): {@code broken} is set once under {@code brokenLock}
 * (with {@code brokenCause} written first), before the failing call's permit is released; from
 * then on {@code pump} fails waiting calls instead of sending them, and submit throws. Calls
 * already on members finish.
 *
 * <p>Reads: a call's value or exception is read through the executor's deserialization filter
 * with the loader captured when the executor was built; a payload the filter refuses fails that
 * call's future only.
 */
final class Dispatcher {

    private static final System.Logger LOG = System.getLogger(ClusterExecutor.class.getName());

    /** At most this many completion threads per executor. */
    static final int COMPLETION_THREADS = 64;
    /** An idle completion thread ends after this long. */
    static final java.time.Duration COMPLETION_KEEP_ALIVE = java.time.Duration.ofSeconds(10);

    /** Makes daemon threads named {@code prefix} and a number. */
    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** How many times a call that never reached its member (or that a leaving member refused) is sent elsewhere. */
    private static final int MAX_REDELIVERIES = 3;

    /** A submitted call: its future, and what is sent. */
    static final class Call<T> {
        final TrackedFuture<T> future;
        final RemoteCall remote;
        /** The scope a call interceptor gave it, told of the start when it is sent; or null. */
        final ScopedCall scope;
        /** Written by whoever settled the previous attempt, before dispatching the next one. */
        int redeliveries;
        /** Written by whoever settled the previous attempt, before dispatching the next one. */
        boolean retried;

        Call(TrackedFuture<T> future, RemoteCall remote, ScopedCall scope) {
            this.future = future;
            this.remote = remote;
            this.scope = scope;
        }
    }

    final MemberTable members;
    private final IExecutorService service;
    private final String executorName;
    private final boolean retryOnMemberLoss;
    private final ObjectInputFilter filter;
    private final ClassLoader loader;

    private final ConcurrentLinkedQueue<Call<?>> waiting = new ConcurrentLinkedQueue<>();
    /**
     * Where attempts are settled (Hazelcast's completions, a member's loss) and futures completed, so
     * where their done callbacks run: not Hazelcast's own threads (a callback that blocks there stalls the
     * cluster's responses or events), and not the JDK's common pool, where Hazelcast's asynchronous
     * completions go by default (with it busy no call would complete, and as many callbacks waiting for
     * follow-up calls as it has threads would leave none to complete the follow-ups). Daemon threads
     * {@code <executor>-completions-<n>}, started when none is idle, at most {@link #COMPLETION_THREADS},
     * then queued ({@link HandOffThreads}).
     */
    private final java.util.concurrent.ThreadPoolExecutor completions;
    /** Counts each task on {@link #completions} as the executor's outstanding work, so that a shutdown waits for its callbacks. */
    private final Settling settling;
    /** Runs a task on {@link #completions}, counted by {@link #settling}: what Hazelcast's completions are handed to. */
    private final java.util.concurrent.Executor settle = this::settle;

    /**
     * How the executor counts a task on a completion thread (a call settled there runs its future's done
     * callbacks there): as outstanding work from the hand-off until the task, callbacks included, returned.
     */
    interface Settling {
        /** A task is about to be handed to a completion thread. */
        void handedOff();

        /** The current thread begins the task. */
        void begins();

        /** The current thread has ended the task (or the hand-off failed): no longer outstanding. */
        void ended();
    }
    private final AtomicInteger permits;
    /**
     * Calls in flight per eligible member for a bound that follows the membership, or 0 for a fixed bound
     * (set by the builder or by {@link #setMaxWorkers}). Guarded by MemberTable's lock after construction.
     */
    private int perMember;
    /** The bound on calls in flight; changed (with 'permits') under MemberTable's lock, read anywhere. */
    private volatile int maxWorkers;
    final LongAdder memberLosses = new LongAdder();
    final LongAdder retries = new LongAdder();

    private final Object brokenLock = new Object();
    /** Why the executor is broken (an initializer failed), or null; written once under 'brokenLock'. */
    private volatile String broken;
    /** The initializer's exception; written before, and published by, the write of 'broken'. */
    private Throwable brokenCause;
    /** Set by shutdown(cancelFutures=true): calls lost with their member are then not retried. */
    private volatile boolean noRetries;
    /** Set by abort(): cancelled remote calls end as CancelledError. */
    private volatile boolean aborting;

    /**
     * @param maxWorkers the bound on calls in flight now
     * @param perMember when positive, the bound follows the membership: this many calls per eligible member
     *     (at least 1 in all); 0 keeps {@code maxWorkers} fixed
     */
    Dispatcher(HazelcastInstance hazelcast, IExecutorService service, String executorName, int maxWorkers, int perMember,
               boolean retryOnMemberLoss, MemberSelector selector, ObjectInputFilter filter, ClassLoader loader,
               Settling settling) {
        this.settling = settling;
        this.service = service;
        this.maxWorkers = maxWorkers;
        this.perMember = perMember;
        this.executorName = executorName;
        this.retryOnMemberLoss = retryOnMemberLoss;
        this.filter = filter;
        this.loader = loader;
        this.permits = new AtomicInteger(maxWorkers);
        this.completions = HandOffThreads.create(COMPLETION_THREADS, COMPLETION_KEEP_ALIVE,
                daemonThreads(executorName + "-completions-"));
        this.members = new MemberTable(hazelcast, selector, this::pump, this::memberRemovedLater, this::membersNow);
    }

    int maxWorkers() {
        return maxWorkers;
    }

    /**
     * A bound that follows the membership moves with it: permits change by as much as the bound, so a
     * leave can make them negative until enough calls in flight have ended ({@link #pump} sends nothing
     * while they are not positive). Called under MemberTable's lock, so one change at a time.
     */
    private void membersNow(int eligible) {
        if (perMember == 0) {
            return;
        }
        int next = Math.max(1, perMember * Math.max(1, eligible));
        int delta = next - maxWorkers;
        if (delta != 0) {
            maxWorkers = next;
            permits.addAndGet(delta);
        }
    }

    /**
     * Fixes the bound at {@code n} from now on (the membership no longer moves it): permits change by the
     * difference under MemberTable's lock, as at a join or leave, so a shrink may make them negative until
     * enough calls in flight have ended. A growth sends waiting calls at once.
     */
    void setMaxWorkers(int n) {
        members.locked(() -> {
            perMember = 0;
            int delta = n - maxWorkers;
            maxWorkers = n;
            permits.addAndGet(delta);
        });
        pump();
    }

    /**
     * Cancels the calls waiting now (not yet sent to a member); calls in flight go on, and later ones are
     * sent as usual. Each call is taken off the queue by one thread only ({@code poll}), so a shutdown or
     * {@link #pump} racing with this never sees it again.
     *
     * @return how many futures this cancelled; those already cancelled by their owners are not counted
     */
    int cancelPending() {
        int cancelled = 0;
        Call<?> c;
        for (int n = waiting.size(); n > 0 && (c = waiting.poll()) != null; n--) {
            if (!c.future.cancelled() && c.future.cancel()) { // cancel() is also true for one cancelled before
                cancelled++;
            }
        }
        return cancelled;
    }

    String broken() {
        return broken;
    }

    Throwable brokenCause() {
        return brokenCause;
    }

    /** Queues a call and sends what the permits allow. */
    void offer(Call<?> c) {
        waiting.offer(c);
        pump();
    }

    /** Cancels every waiting call; from now on lost calls are not retried. */
    void cancelWaiting() {
        noRetries = true;
        for (Call<?> c; (c = waiting.poll()) != null; ) {
            c.future.cancel();
        }
    }

    /** Sends waiting calls while permits are free. Lock-free; see the implementation note. */
    void pump() {
        for (;;) {
            if (waiting.isEmpty()) {
                return;
            }
            String b = broken;
            if (b != null) {
                failWaiting(b);
                return;
            }
            int p = permits.get();
            if (p <= 0) {
                return;
            }
            if (!permits.compareAndSet(p, p - 1)) {
                continue;
            }
            Call<?> c = waiting.poll();
            if (c == null) {
                permits.incrementAndGet();
                continue;
            }
            boolean run;
            try {
                run = c.future.setRunningOrNotifyCancel();
            } catch (InvalidStateError completedFromOutside) {
                run = false;
            }
            if (!run) {
                permits.incrementAndGet();
                continue;
            }
            if (c.scope != null) {
                c.scope.started();
            }
            dispatch(c);
        }
    }

    /** Sends a call that holds a permit to the least busy eligible member. Never pumps. */
    private void dispatch(Call<?> c) {
        for (;;) {
            MemberTable.Slot slot = members.choose();
            if (slot == null) {
                permits.incrementAndGet();
                fail(c, new IllegalStateException("no cluster member can run calls of this executor (executor '"
                        + executorName + "' sees no eligible member)"));
                return;
            }
            Attempt a = new Attempt(c, slot);
            slot.inFlight.incrementAndGet();
            slot.attempts.add(a);
            if (slot.removed && a.settle()) {
                continue; // the member left while we chose it; its removal did not see this attempt
            }
            try {
                java.util.concurrent.Future<RemoteCall.Outcome> remote = service.submitToMember(c.remote, slot.member);
                a.remote = remote;
                if (remote instanceof CompletionStage<?> stage) {
                    @SuppressWarnings("unchecked")
                    CompletionStage<RemoteCall.Outcome> outcomes = (CompletionStage<RemoteCall.Outcome>) stage;
                    outcomes.whenCompleteAsync(a, settle);
                } else if (a.settle()) {
                    permits.incrementAndGet();
                    fail(c, new IllegalStateException("Hazelcast returned a " + remote.getClass().getName()
                            + " for a call, which cannot report its completion; this Hazelcast version is not supported"));
                }
            } catch (RuntimeException e) {
                if (a.settle()) {
                    handleFailure(a, e);
                }
            }
            return;
        }
    }

    /** A settled attempt's Hazelcast failure. Never pumps. */
    private void handleFailure(Attempt a, Throwable t) {
        Throwable cause = unwrap(t);
        Call<?> c = a.call;
        if (cause instanceof MemberLeftException || cause instanceof TargetNotMemberException) {
            // Hazelcast's failure can come before the membership event: stop choosing this member now,
            // or a retry could go straight back to it.
            a.slot.removed = true;
        }
        if (cause instanceof TargetNotMemberException && c.redeliveries < MAX_REDELIVERIES) {
            c.redeliveries++; // it never reached the member: sending it elsewhere keeps at-most-once
            dispatch(c);
        } else if (cause instanceof MemberLeftException || cause instanceof TargetNotMemberException) {
            memberLost(c, a.slot.member);
        } else if (cause instanceof CancellationException && aborting) {
            permits.incrementAndGet();
            fail(c, aborted());
        } else {
            permits.incrementAndGet();
            fail(c, cause);
        }
    }

    /** A leaving member refused the call before running it: send it elsewhere. Never pumps. */
    private void refusedByLeavingMember(Attempt a) {
        a.slot.removed = true;
        Call<?> c = a.call;
        if (c.redeliveries < MAX_REDELIVERIES && !noRetries) {
            c.redeliveries++;
            dispatch(c);
        } else {
            permits.incrementAndGet();
            fail(c, new IllegalStateException("member " + a.slot.member.getAddress() + " is leaving the cluster and"
                    + " did not run the call, and no other member took it"));
        }
    }

    /** A call's member left while the call was in flight. Never pumps. */
    private void memberLost(Call<?> c, Member member) {
        memberLosses.increment();
        if (retryOnMemberLoss && !c.retried && !noRetries) {
            c.retried = true;
            retries.increment();
            LOG.log(System.Logger.Level.INFO, () -> "member " + member + " left while running a call; sending it once more to another member");
            dispatch(c);
            return;
        }
        permits.incrementAndGet();
        fail(c, new MemberLeftException(member));
    }

    /**
     * Tells a leaving member that its answer arrived, so that it stops waiting for it (see
     * {@link ServedCalls}); fire and forget: if the member is gone, nobody waits any more.
     */
    private void confirm(Member member, long confirmation) {
        try {
            service.executeOnMember(new RemoteCall.Received(confirmation), member);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "confirming an answer to " + member + " failed: " + e);
        }
    }

    /** A member left (told in Hazelcast's event thread): its attempts are settled on a completion thread. */
    private void memberRemovedLater(MemberTable.Slot gone) {
        settle(() -> memberRemoved(gone));
    }

    /** Runs {@code task} on a completion thread, counted by {@link #settling}; here if no thread could start. */
    private void settle(Runnable task) {
        settling.handedOff();
        Runnable counted = () -> {
            settling.begins();
            try {
                task.run();
            } finally {
                settling.ended();
            }
        };
        try {
            completions.execute(counted);
        } catch (OutOfMemoryError noThread) {
            counted.run(); // no thread could start, none was busy: settle here rather than never
        }
    }

    /** The executor terminated: idle completion threads end now, busy ones when their task returns. */
    void stopCompletions() {
        completions.shutdown();
    }

    /**
     * The membership listener removed {@code gone}: its attempts are lost, except those whose answer
     * Hazelcast has already received (a member that leaves sends its last answers before it goes,
     * and the membership event can overtake their completion callbacks): those callbacks settle them.
     */
    private void memberRemoved(MemberTable.Slot gone) {
        for (Attempt a : gone.attempts) {
            java.util.concurrent.Future<RemoteCall.Outcome> remote = a.remote;
            if (remote != null && remote.isDone()) {
                continue;
            }
            if (a.settle()) {
                memberLost(a.call, gone.member);
            }
        }
        pump();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable x = t;
        while ((x instanceof CompletionException || (x instanceof ExecutionException && !(x instanceof MemberLeftException)))
                && x.getCause() != null) {
            x = x.getCause();
        }
        return x;
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(Call<T> c, RemoteCall.Outcome outcome, Member member) {
        Object value;
        try {
            value = Wire.read(outcome.payload(), filter, loader);
        } catch (IOException | ClassNotFoundException | RuntimeException | Error e) {
            // An error too (a class that fails to link here, a readObject that throws one): thrown on, it
            // would end this Hazelcast completion with the future still RUNNING, for ever.
            fail(c, new IllegalStateException("cannot read the call's "
                    + (outcome.kind() == RemoteCall.Outcome.VALUE ? "result" : "exception")
                    + " sent back by member " + member.getAddress() + ": " + e, e));
            return;
        }
        if (outcome.kind() == RemoteCall.Outcome.INITIALIZER_FAILED) {
            Throwable t = (Throwable) value;
            BrokenExecutor failure = breakExecutor("the initializer failed on member " + member.getAddress()
                    + ", the cluster executor is not usable anymore (" + t.getClass().getName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ")", t);
            fail(c, failure);
            return;
        }
        try {
            if (outcome.kind() == RemoteCall.Outcome.FAILED) {
                c.future.setException((Throwable) value);
            } else {
                c.future.setResult((T) value);
            }
        } catch (InvalidStateError completedFromOutside) {
            // Someone completed the future from outside; the call's outcome is dropped.
        } catch (ClassCastException notAThrowable) {
            fail(c, new IllegalStateException("member " + member.getAddress() + " sent back a "
                    + value.getClass().getName() + " as the call's exception", notAThrowable));
        }
    }

    private static void fail(Call<?> c, Throwable t) {
        try {
            c.future.setException(t);
        } catch (InvalidStateError completedFromOutside) {
            // already done
        }
    }

    /**
     * Marks the executor broken (once; later reasons are dropped) and fails every waiting call.
     * Returns the exception for the call that broke it.
     */
    private BrokenExecutor breakExecutor(String reason, Throwable cause) {
        synchronized (brokenLock) {
            if (broken == null) {
                brokenCause = cause;
                broken = reason;
            }
        }
        failWaiting(broken);
        return new BrokenExecutor(reason, cause);
    }

    private void failWaiting(String reason) {
        for (Call<?> c; (c = waiting.poll()) != null; ) {
            fail(c, new BrokenExecutor(reason, brokenCause));
        }
    }

    // ------------------------------------------------------------------ abort

    private static CancelledError aborted() {
        return new CancelledError("the call was stopped by abort() after the cluster executor's shutdown");
    }

    /**
     * Cancels the waiting calls and asks Hazelcast to cancel (interrupting) every call in flight.
     * Blocks while Hazelcast delivers the cancellations.
     */
    void cancelAll() {
        aborting = true;
        cancelWaiting();
        boolean abandoned = false;
        for (MemberTable.Slot slot : members.slots()) {
            for (Attempt a : new ArrayList<>(slot.attempts)) {
                java.util.concurrent.Future<?> remote = a.remote;
                if (remote != null && !a.isSettled()) {
                    if (!abandoned) {
                        // Hazelcast drops the answer of a call it cancels: this JVM's members must not wait for it.
                        ServedCalls.abandon(a.call.remote.executorId());
                        abandoned = true;
                    }
                    try {
                        remote.cancel(true);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, () -> "cancelling a call on " + slot.member + " failed: " + e);
                    }
                }
            }
        }
    }

    /**
     * Ends every call still in flight here, without waiting for its member: its future fails with
     * {@link CancelledError}. The calls may still be running on their members.
     *
     * @return how many calls were abandoned
     */
    int abandonAll() {
        aborting = true;
        List<Attempt> all = new ArrayList<>();
        for (MemberTable.Slot slot : members.slots()) {
            all.addAll(slot.attempts);
        }
        int n = 0;
        for (Attempt a : all) {
            if (a.settle()) {
                permits.incrementAndGet();
                fail(a.call, aborted());
                n++;
            }
        }
        return n;
    }

    /** One sending of a call to one member; settled exactly once. */
    final class Attempt implements BiConsumer<RemoteCall.Outcome, Throwable> {
        final Call<?> call;
        final MemberTable.Slot slot;
        /** Hazelcast's future of this attempt; null until sent. */
        volatile java.util.concurrent.Future<RemoteCall.Outcome> remote;
        private final AtomicBoolean settled = new AtomicBoolean();

        Attempt(Call<?> call, MemberTable.Slot slot) {
            this.call = call;
            this.slot = slot;
        }

        boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            slot.attempts.remove(this);
            slot.inFlight.decrementAndGet();
            return true;
        }

        boolean isSettled() {
            return settled.get();
        }

        /** Hazelcast's completion of the attempt, on a completion thread ({@link #completions}). */
        @Override
        public void accept(RemoteCall.Outcome outcome, Throwable failure) {
            if (outcome != null) {
                outcome.handedOver(); // an outcome from this member, unserialized: it reached its caller
                if (outcome.confirmation() != 0L) {
                    confirm(slot.member, outcome.confirmation());
                }
            }
            if (failure != null) {
                if (settle()) {
                    handleFailure(this, failure);
                }
            } else if (outcome.kind() == RemoteCall.Outcome.MEMBER_LEAVING) {
                if (settle()) {
                    refusedByLeavingMember(this);
                }
            } else if (settle()) {
                slot.completed.increment();
                if (outcome.kind() == RemoteCall.Outcome.INITIALIZER_FAILED) {
                    complete(call, outcome, slot.member); // breaks the executor before the permit is free
                    permits.incrementAndGet();
                } else {
                    permits.incrementAndGet();
                    complete(call, outcome, slot.member);
                }
            }
            pump();
        }
    }
}
