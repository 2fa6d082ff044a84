package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.Future;
import io.github.futures.SerializableCallable;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@link Error} thrown while a call, its result or its exception is serialized or read (a class
 * that cannot be linked on one side, a {@code readObject} or {@code writeObject} that throws one)
 * fails that call's future, promptly, and the executor still shuts down. The calls run on another
 * member (a plain member in this JVM, reached over loopback), so everything crosses the wire.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterErrorOnTheWireTest {

    /** Thrown by the classes below; an application's own error class, not the JDK's. */
    static final class WireError extends Error {
        private static final long serialVersionUID = 1L;

        WireError(String message) {
            super(message);
        }
    }

    /** Cannot be read: its readObject throws an error, as a class that fails to link would. */
    static final class Unreadable implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            throw new WireError("Unreadable cannot be read here");
        }
    }

    /** Cannot be written: its writeObject throws an error. */
    static final class Unwritable implements Serializable {
        private static final long serialVersionUID = 1L;

        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new WireError("Unwritable cannot be written");
        }
    }

    /** An exception that cannot be read on the caller. */
    static final class UnreadableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableException() {
            super("thrown by the call");
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            throw new WireError("UnreadableException cannot be read here");
        }
    }

    record ReturnsUnreadable() implements SerializableCallable<Unreadable> {
        @Override
        public Unreadable call() {
            return new Unreadable();
        }
    }

    record ReturnsUnwritable() implements SerializableCallable<Unwritable> {
        @Override
        public Unwritable call() {
            return new Unwritable();
        }
    }

    record ThrowsUnreadable() implements SerializableCallable<String> {
        @Override
        public String call() {
            throw new UnreadableException();
        }
    }

    /** A call that cannot be read on its member. */
    record CarriesUnreadable(Unreadable u) implements SerializableCallable<String> {
        @Override
        public String call() {
            return "ran";
        }
    }

    private ClusterExecutor executor;
    private HazelcastInstance peer;

    @BeforeEach
    void cluster() throws Exception {
        String name = "futures-wire-" + UUID.randomUUID();
        List<Integer> ports = LocalCluster.freePorts(2);
        List<String> members = List.of("127.0.0.1:" + ports.get(0), "127.0.0.1:" + ports.get(1));
        executor = ClusterExecutor.builder().clusterName(name).port(ports.get(0)).members(members)
                .memberSelector(m -> !m.localMember()).endAtJvmExit(false).build();
        peer = Hazelcast.newHazelcastInstance(TestMember.config(name, ports.get(1), members));
        assertThat(executor.awaitMembers(1, Duration.ofSeconds(60))).as("the peer joined").isTrue();
    }

    @AfterEach
    void stop() {
        try {
            if (executor != null) {
                executor.shutdown(false, true);
                assertThat(executor.awaitTermination(Duration.ofSeconds(30))).as("the executor terminated").isTrue();
            }
        } finally {
            if (executor != null) {
                executor.hazelcastInstance().getLifecycleService().terminate();
            }
            if (peer != null) {
                peer.getLifecycleService().terminate();
            }
        }
    }

    /** A result whose reading throws an error fails its future, naming what happened; the next call runs. */
    @Test
    void resultThatThrowsAnErrorWhenReadFailsItsFuture() {
        Future<Unreadable> f = executor.submit(new ReturnsUnreadable());

        Throwable failure = f.exception(Duration.ofSeconds(20));
        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot read the call's result").hasRootCauseInstanceOf(WireError.class);
        assertThat(executor.submit(() -> "next").result(Duration.ofSeconds(20))).isEqualTo("next");
    }

    /** An exception whose reading throws an error fails its future, naming what happened. */
    @Test
    void exceptionThatThrowsAnErrorWhenReadFailsItsFuture() {
        Future<String> f = executor.submit(new ThrowsUnreadable());

        Throwable failure = f.exception(Duration.ofSeconds(20));
        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot read the call's exception").hasRootCauseInstanceOf(WireError.class);
    }

    /** A result whose writing throws an error on the member fails its future, naming the class. */
    @Test
    void resultThatThrowsAnErrorWhenWrittenFailsItsFuture() {
        Future<Unwritable> f = executor.submit(new ReturnsUnwritable());

        Throwable failure = f.exception(Duration.ofSeconds(20));
        assertThat(failure).isNotNull().hasMessageContaining(Unwritable.class.getName())
                .hasMessageContaining("Unwritable cannot be written");
    }

    /** A call whose reading throws an error on the member fails its future, naming what happened. */
    @Test
    void callThatThrowsAnErrorWhenReadOnTheMemberFailsItsFuture() {
        Future<String> f = executor.submit(new CarriesUnreadable(new Unreadable()));

        Throwable failure = f.exception(Duration.ofSeconds(20));
        assertThat(failure).isNotNull().hasMessageContaining("cannot deserialize the call")
                .hasMessageContaining("Unreadable cannot be read here");
    }
}
