package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import io.github.futures.Future;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Signal;
import io.github.futures.spi.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deserialization filter on both sides of a real two-member cluster (this JVM and a child JVM):
 * calls are read through it on the member, results and exceptions on the caller. A refused class is
 * never instantiated: its {@code readObject} fires a {@link Signal} wherever it runs, and the
 * signal stays silent.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterSerialFilterTest extends OneChildCluster {

    private static String refusing(Class<?> c) {
        return "!" + c.getName() + ";" + Serialization.DEFAULT_FILTER;
    }

    /** Fires its signal when it is deserialized, in whichever JVM that happens. */
    static final class Marker implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Signal read;

        Marker(Signal read) {
            this.read = read;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            read.fire();
        }
    }

    /** An exception that fires its signal when it is deserialized. */
    static final class MarkerException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Signal read;

        MarkerException(Signal read) {
            super("marker");
            this.read = read;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            read.fire();
        }
    }

    /** A call that carries a marker to the member. */
    record Carries(Marker marker) implements SerializableCallable<String> {
        @Override
        public String call() {
            return "ran";
        }
    }

    /** A call that makes a marker on the member and returns it. */
    record Returns(Signal read) implements SerializableCallable<Marker> {
        @Override
        public Marker call() {
            return new Marker(read);
        }
    }

    /** A call that throws a marker exception made on the member. */
    record Throws(Signal read) implements SerializableCallable<String> {
        @Override
        public String call() {
            throw new MarkerException(read);
        }
    }

    /** A call whose class the member's filter refuses is not deserialized there; the future names the class. */
    @Test
    void refusedCallIsNotDeserializedOnTheMember() {
        try (Signal read = Signal.create();
             ClusterExecutor allowing = onChild().build();
             ClusterExecutor refusing = onChild().serialFilter(refusing(Marker.class)).build()) {
            // The marker works across JVMs: let through, its readObject runs on the member and fires.
            assertThat(allowing.submit(new Carries(new Marker(read))).result(Duration.ofSeconds(30))).isEqualTo("ran");
            read.awaitCount(1);

            Future<String> f = refusing.submit(new Carries(new Marker(read)));
            assertThatThrownBy(() -> f.result(Duration.ofSeconds(30))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot deserialize the call")
                    .hasMessageContaining(Marker.class.getName())
                    .hasMessageContaining("ClusterExecutor.builder().serialFilter(...)");
            assertThat(read.count()).as("readObject never ran on the member").isEqualTo(1);
            assertThat(refusing.submit(new ClusterCalls.Pid()).result(Duration.ofSeconds(30)))
                    .isEqualTo(cluster.get().children.get(0).pid());
        }
    }

    /** A result whose class the caller's filter refuses is not deserialized here; the future names the class. */
    @Test
    void refusedResultIsNotDeserializedOnTheCaller() {
        try (Signal read = Signal.create();
             ClusterExecutor allowing = onChild().build();
             ClusterExecutor refusing = onChild().serialFilter(refusing(Marker.class)).build()) {
            assertThat(allowing.submit(new Returns(read)).result(Duration.ofSeconds(30))).isInstanceOf(Marker.class);
            read.awaitCount(1);

            Future<Marker> f = refusing.submit(new Returns(read));
            assertThatThrownBy(() -> f.result(Duration.ofSeconds(30))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot read the call's result")
                    .hasMessageContaining(Marker.class.getName())
                    .hasMessageContaining("serialFilter");
            assertThat(read.count()).as("readObject never ran on the caller").isEqualTo(1);
        }
    }

    /** An exception whose class the caller's filter refuses is not deserialized here; the future names the class. */
    @Test
    void refusedExceptionIsNotDeserializedOnTheCaller() {
        try (Signal read = Signal.create();
             ClusterExecutor allowing = onChild().build();
             ClusterExecutor refusing = onChild().serialFilter(refusing(MarkerException.class)).build()) {
            assertThat(allowing.submit(new Throws(read)).exception(Duration.ofSeconds(30))).isInstanceOf(MarkerException.class);
            read.awaitCount(1);

            Future<String> f = refusing.submit(new Throws(read));
            assertThatThrownBy(() -> f.result(Duration.ofSeconds(30))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot read the call's exception")
                    .hasMessageContaining(MarkerException.class.getName());
            assertThat(read.count()).as("readObject never ran on the caller").isEqualTo(1);
        }
    }

    /**
     * A 40-odd-byte call that declares a long[0x7ffffff0] is refused by the member with the default
     * filter, before any allocation, and the member goes on serving.
     */
    @Test
    void smallPayloadDeclaringAHugeArrayIsRefusedOnTheMember() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new long[] {7L});
        }
        byte[] crafted = bytes.toByteArray();
        // The stream ends with the array's length (4 bytes) and its one element (8 bytes).
        ByteBuffer.wrap(crafted).putInt(crafted.length - 12, 0x7ffffff0);
        Member child = cluster.get().memberOf(cluster.get().children.get(0));

        RemoteCall.Outcome outcome = cluster.get().hz.getExecutorService(ClusterNode.DEFAULT_EXECUTOR_NAME)
                .submitToMember(new RemoteCall(crafted, "crafted", null, "", java.util.Map.of()), child).get(30, TimeUnit.SECONDS);

        assertThat(outcome.kind()).isEqualTo(RemoteCall.Outcome.FAILED);
        Object failure = Wire.read(outcome.payload(), Serialization.filter(null), getClass().getClassLoader());
        assertThat(failure).isInstanceOf(IllegalStateException.class);
        assertThat(((Throwable) failure).getMessage())
                .contains("an array of " + 0x7ffffff0 + " elements in a message of " + crafted.length + " bytes");
        try (ClusterExecutor executor = onChild().build()) {
            assertThat(executor.submit(new ClusterCalls.Pid()).result(Duration.ofSeconds(30)))
                    .isEqualTo(cluster.get().children.get(0).pid());
        }
    }

    /** A malformed filter pattern is refused by the builder, naming the option. */
    @Test
    void malformedFilterPatternIsRefusedByTheBuilder() {
        assertThatThrownBy(() -> ClusterExecutor.builder().serialFilter("maxdepth=lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serialFilter");
        try (ClusterExecutor executor = ClusterExecutor.builder().hazelcastInstance(cluster.get().hz).serialFilter(null).build()) {
            assertThat(executor.snapshot().config()).containsEntry("serialFilter", "default");
        }
    }
}
