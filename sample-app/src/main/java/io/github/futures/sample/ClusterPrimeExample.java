package io.github.futures.sample;

import com.hazelcast.cluster.Member;
import io.github.futures.MapOptions;
import io.github.futures.SerializableFunction;
import io.github.futures.autoconfigure.cluster.FuturesClusterAutoConfiguration;
import io.github.futures.hazelcast.ClusterExecutor;
import io.github.futures.hazelcast.ClusterNode;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;

/**
 * The seed's prime example on the cluster: {@link Primes#isPrime} mapped over a range of numbers by the
 * starter's {@link ClusterExecutor} ({@code futuresClusterPool}), one call per chunk, each call run on
 * whichever member of the cluster Hazelcast's executor gives it to. Every answer carries the process id of
 * the JVM that computed it, so the report tells where the work ran.
 *
 * <p>The cluster pool exists only when the app runs with {@code futures.cluster.enabled=true}; otherwise
 * {@link #check} throws {@link ClusterDisabledException}. The call is a static method of this class, so
 * every member must be this application (or at least have its classes), as when several copies of the
 * sample app form the cluster.
 */
@Service
public class ClusterPrimeExample {

    private final ObjectProvider<ClusterExecutor> cluster;

    public ClusterPrimeExample(
            @Qualifier(FuturesClusterAutoConfiguration.CLUSTER_POOL_BEAN_NAME) ObjectProvider<ClusterExecutor> cluster) {
        this.cluster = cluster;
    }

    /**
     * Checks {@code count} numbers from {@code start} on the cluster, {@code chunksize} numbers per call.
     *
     * @param start the first number, at least 0
     * @param count how many numbers, 1 to 10 000
     * @param chunksize numbers sent to a member in one call, 1 or more
     * @return every answer in order, with the member that computed it, and the count per member
     * @throws IllegalArgumentException when an argument is out of range
     * @throws ClusterDisabledException when the app runs without the cluster pool
     */
    public ClusterPrimeReport check(long start, int count, int chunksize) {
        PrimeExample.validate(start, count, chunksize);
        ClusterExecutor pool = cluster.getIfAvailable();
        if (pool == null) {
            throw new ClusterDisabledException();
        }
        List<Long> numbers = PrimeExample.numbers(start, count);
        long began = System.nanoTime();
        List<Checked> answers;
        SerializableFunction<Long, Checked> task = ClusterPrimeExample::checkHere;
        try (Stream<Checked> stream = pool.map(task, numbers, MapOptions.DEFAULTS.withChunksize(chunksize))) {
            answers = stream.toList();
        }
        long elapsed = Duration.ofNanos(System.nanoTime() - began).toMillis();

        Map<Long, String> addresses = new LinkedHashMap<>();
        List<MemberView> members = new ArrayList<>();
        for (Member m : pool.members()) {
            long pid = pid(m);
            String address = m.getAddress().getHost() + ":" + m.getAddress().getPort();
            addresses.putIfAbsent(pid, address);
            members.add(new MemberView(address, pid, m.localMember()));
        }
        long localPid = ProcessHandle.current().pid();
        // One entry per process that ran calls, in the order they first appear; a chunk runs in one call.
        Map<Long, int[]> perPid = new LinkedHashMap<>();
        List<ClusterNumberResult> results = new ArrayList<>(count);
        List<Long> primes = new ArrayList<>();
        Iterator<Checked> it = answers.iterator();
        for (int i = 0; i < count; i++) {
            Checked c = it.next();
            int[] counts = perPid.computeIfAbsent(c.pid(), p -> new int[2]);
            counts[0]++;
            if (i % chunksize == 0) {
                counts[1]++;
            }
            results.add(new ClusterNumberResult(c.n(), c.prime(), c.pid()));
            if (c.prime()) {
                primes.add(c.n());
            }
        }
        List<RanOn> ranOn = new ArrayList<>();
        perPid.forEach((pid, counts) -> ranOn.add(new RanOn(addresses.getOrDefault(pid, "pid " + pid), pid,
                pid == localPid, counts[0], counts[1])));
        return new ClusterPrimeReport(start, count, chunksize, localPid, members, ranOn, primes, results, elapsed);
    }

    /** The call that runs on a member: the answer and the process it was computed in. */
    static Checked checkHere(Long n) {
        return new Checked(n, Primes.isPrime(n), ProcessHandle.current().pid());
    }

    private static long pid(Member m) {
        String pid = m.getAttribute(ClusterNode.PID_ATTRIBUTE);
        try {
            return pid == null ? -1L : Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    /**
     * What a member sends back for one number.
     *
     * @param n the number
     * @param prime whether it is prime
     * @param pid the process id of the JVM that checked it
     */
    record Checked(long n, boolean prime, long pid) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /**
     * One number, whether it is prime, and where it was checked.
     *
     * @param n the number
     * @param prime whether it is prime
     * @param pid the process id of the JVM that checked it
     */
    public record ClusterNumberResult(long n, boolean prime, long pid) {
    }

    /**
     * A member of the cluster when the answers came back.
     *
     * @param address its host:port in the cluster
     * @param pid its process id, or -1 when it does not publish one
     * @param local whether it is the node that answered the request
     */
    public record MemberView(String address, long pid, boolean local) {
    }

    /**
     * Where the work ran: one process and how much of the batch it did.
     *
     * @param member the member's host:port, or {@code pid <n>} if it has left since
     * @param pid its process id
     * @param local whether it is the node that answered the request
     * @param numbers how many numbers it checked
     * @param calls how many calls (chunks) it ran
     */
    public record RanOn(String member, long pid, boolean local, int numbers, int calls) {
    }

    /**
     * The answer of {@code GET /api/cluster/primes}.
     *
     * @param start the first number
     * @param count how many numbers
     * @param chunksize numbers per call
     * @param pid the process id of the node that answered
     * @param members the cluster's members
     * @param ranOn where the work ran, per process
     * @param primes the primes found, in order
     * @param results every number with its answer and where it was checked, in order
     * @param elapsedMillis the wall time of the map
     */
    public record ClusterPrimeReport(long start, int count, int chunksize, long pid, List<MemberView> members,
                                     List<RanOn> ranOn, List<Long> primes, List<ClusterNumberResult> results,
                                     long elapsedMillis) {
    }

    /** The app runs without the cluster pool ({@code futures.cluster.enabled} is not {@code true}). */
    public static final class ClusterDisabledException extends RuntimeException {

        @Serial
        private static final long serialVersionUID = 1L;

        ClusterDisabledException() {
            super("The cluster pool is off: start the app with --futures.cluster.enabled=true "
                    + "(and the same --futures.cluster.name on every node) to run this example on the cluster.");
        }
    }
}
