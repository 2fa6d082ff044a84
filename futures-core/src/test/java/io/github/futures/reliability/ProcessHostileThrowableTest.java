package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.reliability.HostileThrowables.Mute;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Throwables that cannot be described, met where the process pool describes a failure of a call's
 * result or exception: its serialization in the worker, its deserialization here. Each fails only its
 * own future; the same worker process serves the next call and the pool is not broken. Real worker JVMs.
 *
 * <p>Regression: the description of the failure ({@code "..." + t}) ran the thrown object's
 * {@code toString()}; when that threw too, the worker's loop took it for a lost parent and halted the
 * worker JVM (exit 70), and the parent's reader took it for a broken connection: both broke the pool.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessHostileThrowableTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private final ProcessPoolExecutor pool = new ProcessPoolExecutor(1);

    @AfterEach
    void shutDown() throws Exception {
        CompletableFuture<Void> down = CompletableFuture.runAsync(() -> pool.shutdown(true, true));
        try {
            down.get(60, TimeUnit.SECONDS);
        } finally {
            pool.killWorkers();
        }
    }

    /** A result whose serialization (in the worker) throws a Mute. */
    static final class MuteWhenWritten implements Serializable {
        private static final long serialVersionUID = 1L;

        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new Mute();
        }
    }

    /** A result whose deserialization (here only: the worker only writes it) throws a Mute. */
    static final class MuteWhenRead implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            throw new Mute();
        }
    }

    /** A call's exception whose serialization (in the worker) throws a Mute. */
    static final class FailsWhenWritten extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FailsWhenWritten(String message) {
            super(message);
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            throw new Mute();
        }
    }

    /** A call whose deserialization (in the worker only: this JVM only writes it) throws a Mute. */
    static final class MuteCall implements SerializableCallable<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String call() {
            return "never runs";
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            throw new Mute();
        }
    }

    private static SerializableCallable<Long> pid() {
        return () -> ProcessHandle.current().pid();
    }

    /** The same worker serves the next call and the pool is not broken. */
    private void assertPoolGoesOnWith(long workerPid) {
        assertThat(pool.submit(pid()).result(LONG)).as("the same worker process").isEqualTo(workerPid);
        assertThat(pool.isBroken()).isFalse();
    }

    /** A result whose writeObject throws an indescribable exception fails its future with NotSerializableException. */
    @Test
    void resultWhoseSerializationThrowsAnIndescribableExceptionFailsOnlyItsFuture() {
        long worker = pool.submit(pid()).result(LONG);
        Future<Object> f = pool.submit(() -> new MuteWhenWritten());
        Throwable e = f.exception(LONG);
        assertThat(e).isInstanceOf(NotSerializableException.class)
                .hasMessageContaining(MuteWhenWritten.class.getName())
                .hasMessageContaining(Mute.class.getName());
        assertPoolGoesOnWith(worker);
    }

    /** A call's exception whose writeObject throws an indescribable one still comes back, as a description. */
    @Test
    void exceptionWhoseSerializationThrowsAnIndescribableExceptionComesBackAsADescription() {
        long worker = pool.submit(pid()).result(LONG);
        Future<Object> f = pool.submit(() -> {
            throw new FailsWhenWritten("the call failed");
        });
        Throwable e = f.exception(LONG);
        assertThat(e).isInstanceOf(RuntimeException.class)
                .hasMessageContaining(FailsWhenWritten.class.getName())
                .hasMessageContaining("the call failed")
                .hasMessageContaining(Mute.class.getName());
        assertPoolGoesOnWith(worker);
    }

    /** A result whose readObject throws an indescribable exception here fails its future with InvalidObjectException. */
    @Test
    void resultWhoseDeserializationThrowsAnIndescribableExceptionFailsOnlyItsFuture() {
        long worker = pool.submit(pid()).result(LONG);
        Future<Object> f = pool.submit(() -> new MuteWhenRead());
        Throwable e = f.exception(LONG);
        assertThat(e).isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("could not be read in this JVM")
                .hasMessageContaining(Mute.class.getName())
                .hasCauseInstanceOf(Mute.class);
        assertPoolGoesOnWith(worker);
    }

    /** A call whose readObject throws an indescribable exception in the worker fails its future with InvalidObjectException. */
    @Test
    void callWhoseDeserializationThrowsAnIndescribableExceptionFailsOnlyItsFuture() {
        long worker = pool.submit(pid()).result(LONG);
        Future<String> f = pool.submit(new MuteCall());
        Throwable e = f.exception(LONG);
        assertThat(e).isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("could not deserialize the task")
                .hasMessageContaining(Mute.class.getName());
        assertPoolGoesOnWith(worker);
    }
}
