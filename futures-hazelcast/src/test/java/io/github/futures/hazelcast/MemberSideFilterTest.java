package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.spi.Serialization;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What another member of the cluster can make an executor's own member deserialize. The executor's
 * deserialization filter refuses {@link Marker}; a plain Hazelcast member in the same cluster (here
 * in this JVM, talking to the executor's member over loopback like any other) sends it the marker
 * in the two ways open to it: as a task of Hazelcast's own executor service, which Hazelcast reads
 * with Java serialization, and inside a call of ours whose pattern allows everything. The marker's
 * {@code readObject} counts every deserialization in this JVM; it must stay at zero.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemberSideFilterTest {

    /** How many markers were deserialized in this JVM. */
    static final AtomicInteger READ = new AtomicInteger();

    /** Counts its deserializations. */
    static final class Marker implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            READ.incrementAndGet();
        }
    }

    /** A plain Hazelcast task that carries a marker. */
    record RawTask(Marker marker) implements Callable<String>, Serializable {
        @Override
        public String call() {
            return "ran";
        }
    }

    /** A call of ours that carries a marker. */
    record Carries(Marker marker) implements Callable<String>, Serializable {
        @Override
        public String call() {
            return "ran";
        }
    }

    private ClusterExecutor executor;
    private HazelcastInstance peer;
    private Member executorsMember;

    @BeforeEach
    void cluster() throws Exception {
        READ.set(0);
        String name = "futures-filter-" + UUID.randomUUID();
        List<Integer> ports = LocalCluster.freePorts(2);
        List<String> members = List.of("127.0.0.1:" + ports.get(0), "127.0.0.1:" + ports.get(1));
        executor = ClusterExecutor.builder().clusterName(name).port(ports.get(0)).members(members)
                .serialFilter("!" + Marker.class.getName() + ";" + Serialization.DEFAULT_FILTER).build();
        peer = Hazelcast.newHazelcastInstance(TestMember.config(name, ports.get(1), members));
        assertThat(executor.awaitMembers(2, Duration.ofSeconds(60))).as("the peer joined").isTrue();
        executorsMember = executor.hazelcastInstance().getCluster().getLocalMember();
    }

    @AfterEach
    void stop() {
        if (executor != null) {
            executor.shutdown(true, true);
        }
        if (peer != null) {
            peer.getLifecycleService().terminate();
        }
    }

    /** A Hazelcast task sent straight to the executor's member is not read there when its class is not Hazelcast's or the JDK's. */
    @Test
    void hazelcastTaskOfAnApplicationClassIsNotDeserializedOnTheExecutorsMember() {
        java.util.concurrent.Future<String> sent = peer.getExecutorService(ClusterNode.DEFAULT_EXECUTOR_NAME)
                .submitToMember(new RawTask(new Marker()), executorsMember);

        assertThatThrownBy(() -> sent.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining(RawTask.class.getName());
        assertThat(READ.get()).as("the marker's readObject never ran").isZero();
    }

    /**
     * A call whose own pattern allows everything is still read through the filter of the executor that
     * owns the member: the member's owner, not the sender, has the last word on what it refuses.
     */
    @Test
    void callWithAPermissivePatternIsReadThroughTheMemberOwnersFilter() throws Exception {
        byte[] call = Wire.toBytes(new Carries(new Marker()));

        RemoteCall.Outcome outcome = peer.getExecutorService(ClusterNode.DEFAULT_EXECUTOR_NAME)
                .submitToMember(new RemoteCall(call, "peer", null, "*", Map.of()), executorsMember)
                .get(30, TimeUnit.SECONDS);

        assertThat(READ.get()).as("the marker's readObject never ran").isZero();
        assertThat(outcome.kind()).isEqualTo(RemoteCall.Outcome.FAILED);
        Object failure = Wire.read(outcome.payload(), Serialization.filter(null), getClass().getClassLoader());
        assertThat(((Throwable) failure).getMessage()).contains("cannot deserialize the call")
                .contains(Marker.class.getName());
        // The executor's own calls still run on its member.
        assertThat(executor.submit(() -> "own").result(Duration.ofSeconds(30))).isEqualTo("own");
    }
}
