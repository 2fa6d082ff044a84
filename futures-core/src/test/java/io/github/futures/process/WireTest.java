package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.SerializableCallable;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The frame format and the value encoding, without processes. */
@Timeout(30)
class WireTest {

    private static Object roundTrip(Object v) throws Exception {
        Wire.Frame f = new Wire.Frame(64);
        Wire.encodeValue(f, v);
        f.finish(Wire.RESULT, 99L);
        Wire.Incoming in = Wire.read(new DataInputStream(new ByteArrayInputStream(f.toByteArray())), 1 << 20, new Wire.Incoming());
        assertThat(in.type).isEqualTo(Wire.RESULT);
        assertThat(in.id).isEqualTo(99L);
        return Wire.decodeValue(in.payload, io.github.futures.spi.Serialization.filter(null), WireTest.class.getClassLoader());
    }

    /** Simple values travel without serialization and come back equal, every char of a string included. */
    @Test
    void simpleValuesRoundTrip() throws Exception {
        for (Object v : Arrays.asList(null, 0, -7, Long.MIN_VALUE, true, false, 2.5, Double.NaN, "", "h\u00e9llo \ud800 lone surrogate")) {
            assertThat(roundTrip(v)).isEqualTo(v);
        }
        ArrayList<Object> list = new ArrayList<>(Arrays.asList(1, "two", null, 3L, true));
        assertThat(roundTrip(list)).isEqualTo(list).isInstanceOf(ArrayList.class);
    }

    /** Other values, and lists of them or of other list classes, go through serialization and keep their class. */
    @Test
    void otherValuesAreSerialized() throws Exception {
        LinkedList<Integer> linked = new LinkedList<>(List.of(1, 2));
        assertThat(roundTrip(linked)).isEqualTo(linked).isInstanceOf(LinkedList.class);
        ArrayList<Object> mixed = new ArrayList<>(List.of(1, new int[] {2}));
        assertThat(((List<?>) roundTrip(mixed)).get(1)).isEqualTo(new int[] {2});
        String huge = "x".repeat(20_000);
        assertThat(roundTrip(huge)).isEqualTo(huge);
        assertThat(roundTrip(List.of(1, 2))).isEqualTo(List.of(1, 2));
    }

    /** A length that is not a frame's is refused before anything is allocated. */
    @Test
    void framesLongerThanTheLimitAreRefused() {
        byte[] bogus = {0x7f, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> Wire.read(new DataInputStream(new ByteArrayInputStream(bogus)), 1024, new Wire.Incoming()))
                .isInstanceOf(StreamCorruptedException.class).hasMessageContaining("limit 1024");
    }

    /** Only lambdas that captured nothing count as stateless (and may be reused across calls). */
    @Test
    void onlyNonCapturingLambdasAreStateless() {
        SerializableCallable<Integer> constant = () -> 1;
        int captured = 5;
        SerializableCallable<Integer> capturing = () -> captured;
        assertThat(Wire.STATELESS.get(constant.getClass())).isTrue();
        assertThat(Wire.STATELESS.get(capturing.getClass())).isFalse();
        assertThat(Wire.STATELESS.get(String.class)).isFalse();
    }
}
