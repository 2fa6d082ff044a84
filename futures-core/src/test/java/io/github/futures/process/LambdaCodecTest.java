package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import io.github.futures.spi.Serialization;
import java.io.InvalidClassException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lambdas that captured nothing travel as their names, not serialized, and come back as the same lambda. */
@Timeout(30)
class LambdaCodecTest {

    private static final int MAX = Wire.DEFAULT_MAX_MESSAGE_SIZE;

    static long twice(long n) {
        return 2 * n;
    }

    private static Frames frames() {
        return new Frames(MAX, null, LambdaCodecTest.class.getClassLoader(), RuntimeException::new);
    }

    private static byte[] payload(byte[] frame) {
        return Arrays.copyOfRange(frame, Wire.HEADER, frame.length);
    }

    /** A static method reference and a constant lambda are encoded without a serialization stream and decoded into working lambdas. */
    @Test
    void captureFreeLambdasRoundTripWithoutSerialization() throws Exception {
        SerializableFunction<Long, Long> ref = LambdaCodecTest::twice;
        byte[] encoded = LambdaCodec.encode(ref);
        assertThat(encoded).isNotNull();
        assertThat(encoded[0]).isEqualTo(LambdaCodec.TAG);
        @SuppressWarnings("unchecked")
        Function<Long, Long> back = (Function<Long, Long>) LambdaCodec.decode(encoded, Serialization.filter(null),
                getClass().getClassLoader());
        assertThat(back.apply(21L)).isEqualTo(42L);
        assertThat(Wire.STATELESS.get(back.getClass())).isTrue();

        SerializableCallable<String> constant = () -> "same";
        byte[] task = payload(frames().task(constant, 7L));
        assertThat(LambdaCodec.isEncoded(task)).isTrue();
        assertThat(((Callable<?>) LambdaCodec.decode(task, null, getClass().getClassLoader())).call()).isEqualTo("same");
    }

    /** A lambda that captured something is serialized as before (a Java serialization stream starts with 0xAC). */
    @Test
    void capturingLambdasAreSerialized() {
        int captured = 5;
        SerializableCallable<Integer> capturing = () -> captured;
        assertThat(LambdaCodec.encode(capturing)).isNull();
        byte[] task = payload(frames().task(capturing, 1L));
        assertThat(LambdaCodec.isEncoded(task)).isFalse();
        assertThat(task[0]).isEqualTo((byte) 0xAC);
    }

    /** The map function of a chunk is encoded too; the items follow it. */
    @Test
    void mapFunctionIsEncoded() throws Exception {
        SerializableFunction<Long, Long> ref = LambdaCodecTest::twice;
        byte[] payload = payload(frames().map(ref, List.of(1L, 2L), 3L));
        assertThat(LambdaCodec.isEncoded(Wire.mapFunction(payload))).isTrue();
        assertThat(Wire.mapItems(payload, null, null)).isEqualTo(List.of(1L, 2L));
    }

    /** The filter sees the classes a serialized lambda would show it: refusing the capturing class or SerializedLambda refuses the call, naming the class. */
    @Test
    void filterRefusesAnEncodedLambdaNamingTheClass() {
        SerializableCallable<Integer> constant = () -> 1;
        byte[] encoded = LambdaCodec.encode(constant);
        String owner = LambdaCodecTest.class.getName();
        assertThatThrownBy(() -> LambdaCodec.decode(encoded, Serialization.filter("!" + owner), null))
                .isInstanceOf(InvalidClassException.class).hasMessageContaining(owner)
                .hasMessageContaining("refused by the deserialization filter");
        assertThatThrownBy(() -> LambdaCodec.decode(encoded, Serialization.filter("!java.lang.invoke.SerializedLambda"), null))
                .isInstanceOf(InvalidClassException.class).hasMessageContaining("java.lang.invoke.SerializedLambda");
    }

    /** Without the JDK's filter (default pattern, no JVM-wide filter), the default pattern's refusals still apply, by name and by package. */
    @Test
    void defaultPatternRefusalsApplyWithoutTheJdkFilter() {
        assertThat(LambdaCodec.refusedByDefault("org.apache.commons.collections.functors.InvokerTransformer")).isTrue();
        assertThat(LambdaCodec.refusedByDefault("com.sun.rowset.JdbcRowSetImpl")).isTrue();
        assertThat(LambdaCodec.refusedByDefault("org.apache.commons.collections.functors.sub.Other")).isFalse();
        assertThat(LambdaCodec.refusedByDefault(LambdaCodecTest.class.getName())).isFalse();
        assertThat(LambdaCodec.refusedByDefault("java.lang.invoke.SerializedLambda")).isFalse();
    }

    /** Bytes that are not an encoded lambda fail with an exception, never with an error or a hang. */
    @Test
    void malformedPayloadsFailCleanly() {
        byte[] truncated = Arrays.copyOf(LambdaCodec.encode((SerializableCallable<Integer>) () -> 1), 20);
        assertThatThrownBy(() -> LambdaCodec.decode(truncated, null, null)).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> LambdaCodec.decode(new byte[] {LambdaCodec.TAG}, null, null))
                .isInstanceOf(java.io.IOException.class);
    }
}
