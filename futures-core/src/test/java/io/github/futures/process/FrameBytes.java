package io.github.futures.process;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds the raw bytes of crafted protocol frames and payloads for the fuzz tests on both sides of the
 * pipe (the parent's reader and the worker's): big-endian ints, as the protocol writes them, and
 * concatenation.
 */
public final class FrameBytes {

    private FrameBytes() {
    }

    /**
     * The values as big-endian 4-byte ints.
     *
     * @param values the ints
     * @return their bytes, in order
     */
    public static byte[] ints(int... values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        try {
            for (int v : values) {
                d.writeInt(v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /**
     * The parts one after the other.
     *
     * @param parts the byte arrays
     * @return their concatenation
     */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}
