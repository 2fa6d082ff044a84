package io.github.futures.hazelcast;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MemberSelector;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * The members that receive one {@link ClusterExecutor}'s calls, one {@link Slot} each, kept up to
 * date by a Hazelcast membership listener; and the choice of the member for the next call.
 *
 * <p>Implementation note. {@code slots} is a copy-on-write array replaced under {@code lock} by
 * membership events only; {@link #choose} and the snapshot read it with one volatile load.
 * {@code membersSeen} is guarded by {@code lock}, which {@link #awaitMembers} waits on and every
 * replacement of {@code slots} notifies, after telling {@code onCount} the new number of members (so
 * that a waiter woken by a join or a leave sees the executor's bound already follow it). A slot's {@code removed} flag goes false -> true once and
 * never back: set under {@code lock} before {@code onRemoved} fails the slot's attempts, or earlier
 * by the dispatcher when a Hazelcast failure (or a leaving member's answer) says the member is
 * gone. {@code choose} skips removed slots, and the dispatcher re-checks the flag after it registers
 * an attempt in {@code attempts}, so an attempt is either seen by the removal or takes itself back.
 * A member that comes back has a new UUID, hence a new slot.
 */
final class MemberTable {

    /** One member as the executor sees it. */
    static final class Slot {
        final Member member;
        final Instant seenAt = Instant.now();
        /** Attempts sent to this member and not settled. */
        final AtomicInteger inFlight = new AtomicInteger();
        final LongAdder completed = new LongAdder();
        final Set<Dispatcher.Attempt> attempts = ConcurrentHashMap.newKeySet();
        /** See the class comment: false -> true once. */
        volatile boolean removed;

        Slot(Member member) {
            this.member = member;
        }

        String name() {
            return member.getAddress().getHost() + ":" + member.getAddress().getPort() + (member.localMember() ? " (this)" : "");
        }

        long pid() {
            String pid = member.getAttribute(ClusterNode.PID_ATTRIBUTE);
            if (pid == null) {
                return -1L;
            }
            try {
                return Long.parseLong(pid);
            } catch (NumberFormatException e) {
                return -1L;
            }
        }
    }

    private final HazelcastInstance hazelcast;
    private final MemberSelector selector;
    private final Runnable onAdded;
    private final Consumer<Slot> onRemoved;
    private final IntConsumer onCount;
    private final AtomicInteger rotation = new AtomicInteger();

    private final Object lock = new Object();
    /** Copy-on-write; replaced under 'lock', which is then notified. */
    private volatile Slot[] slots = new Slot[0];
    /** Guarded by 'lock'. */
    private long membersSeen;
    /** Written once by register(), before any event can use it; read after. */
    private volatile UUID registration;

    /**
     * @param onAdded runs after members were added (outside the lock)
     * @param onRemoved runs with a removed slot, after it was marked removed (outside the lock)
     * @param onCount runs with the number of eligible members each time it may have changed, under the
     *     lock, before waiters in {@link #awaitMembers} are woken; must not block
     */
    MemberTable(HazelcastInstance hazelcast, MemberSelector selector, Runnable onAdded, Consumer<Slot> onRemoved,
                IntConsumer onCount) {
        this.hazelcast = hazelcast;
        this.selector = selector;
        this.onAdded = onAdded;
        this.onRemoved = onRemoved;
        this.onCount = onCount;
    }

    /** The number of eligible members now, before the listener is registered (for the default maxWorkers). */
    static int eligibleNow(HazelcastInstance hazelcast, MemberSelector selector) {
        int n = 0;
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (selector == null || selector.select(m)) {
                n++;
            }
        }
        return n;
    }

    /** Starts listening; from here on membership events arrive. */
    void register() {
        registration = hazelcast.getCluster().addMembershipListener(new Listener());
    }

    /** Stops listening; harmless when the instance has stopped. */
    void unregister() {
        UUID r = registration;
        if (r == null) {
            return;
        }
        try {
            hazelcast.getCluster().removeMembershipListener(r);
        } catch (RuntimeException instanceGone) {
            // the instance is not running anymore; nothing to detach from
        }
    }

    Slot[] slots() {
        return slots;
    }

    long membersSeen() {
        synchronized (lock) {
            return membersSeen;
        }
    }

    List<Member> members() {
        List<Member> list = new ArrayList<>();
        for (Slot s : slots) {
            list.add(s.member);
        }
        return List.copyOf(list);
    }

    /** Waits until at least {@code n} members are eligible; see {@link ClusterExecutor#awaitMembers}. */
    boolean awaitMembers(int n, long nanos) throws InterruptedException {
        return awaitCount(count -> count >= n, nanos);
    }

    /** Waits until the number of eligible members satisfies {@code wanted}; false if it did not within {@code nanos}. */
    boolean awaitCount(IntPredicate wanted, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (lock) {
            while (!wanted.test(slots.length)) {
                long left = deadline - System.nanoTime();
                if (left <= 0L) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** The eligible member with the fewest calls in flight; ties go round-robin; null if none. */
    Slot choose() {
        Slot[] s = slots;
        int n = s.length;
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        Slot best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Slot candidate = s[(start + i) % n];
            if (candidate.removed) {
                continue; // Hazelcast already told us it left; the membership event may still be on its way
            }
            int load = candidate.inFlight.get();
            if (load < bestLoad) {
                best = candidate;
                bestLoad = load;
            }
        }
        return best;
    }

    /** Runs {@code action} under the lock that membership changes hold; it must not block. */
    void locked(Runnable action) {
        synchronized (lock) {
            action.run();
        }
    }

    private boolean eligible(Member m) {
        return selector == null || selector.select(m);
    }

    private final class Listener implements InitialMembershipListener {
        @Override
        public void init(InitialMembershipEvent event) {
            synchronized (lock) {
                List<Slot> list = new ArrayList<>();
                for (Member m : event.getMembers()) {
                    if (eligible(m)) {
                        list.add(new Slot(m));
                        membersSeen++;
                    }
                }
                slots = list.toArray(new Slot[0]);
                onCount.accept(slots.length);
                lock.notifyAll();
            }
            onAdded.run(); // members may have joined since the executor counted them
        }

        @Override
        public void memberAdded(MembershipEvent event) {
            Member m = event.getMember();
            if (!eligible(m)) {
                return;
            }
            synchronized (lock) {
                for (Slot s : slots) {
                    if (s.member.getUuid().equals(m.getUuid())) {
                        return;
                    }
                }
                Slot[] next = Arrays.copyOf(slots, slots.length + 1);
                next[next.length - 1] = new Slot(m);
                membersSeen++;
                slots = next;
                onCount.accept(next.length);
                lock.notifyAll();
            }
            onAdded.run();
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            Member m = event.getMember();
            Slot gone = null;
            synchronized (lock) {
                Slot[] s = slots;
                List<Slot> keep = new ArrayList<>(s.length);
                for (Slot slot : s) {
                    if (slot.member.getUuid().equals(m.getUuid())) {
                        gone = slot;
                    } else {
                        keep.add(slot);
                    }
                }
                if (gone == null) {
                    return;
                }
                gone.removed = true;
                slots = keep.toArray(new Slot[0]);
                onCount.accept(slots.length);
                lock.notifyAll();
            }
            onRemoved.accept(gone);
        }
    }
}
