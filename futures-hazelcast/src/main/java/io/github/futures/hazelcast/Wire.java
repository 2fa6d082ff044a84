package io.github.futures.hazelcast;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Java serialization of calls, results and exceptions, done by this module rather than left to
 * Hazelcast, so that a call that cannot be serialized fails at {@code submit} naming the class at
 * fault, and a result or exception that cannot be serialized fails only its own future.
 *
 * <p>Classes are resolved through the thread's context class loader first and this module's
 * class loader second, so that a member running inside a Spring Boot executable jar finds the
 * application's classes.
 */
final class Wire {

    private Wire() {
    }

    /**
     * Serializes {@code value}.
     *
     * @throws NotSerializableException naming the first class that is not serializable
     * @throws IOException on any other serialization failure
     */
    static byte[] toBytes(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /** Deserializes what {@link #toBytes} wrote. */
    static Object fromBytes(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new LoaderAwareInput(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    /** A short description of why {@code value} could not be serialized, naming the class at fault. */
    static String whyNotSerializable(Object value, IOException e) {
        String culprit = e instanceof NotSerializableException || e instanceof InvalidClassException
                ? e.getMessage() : e.toString();
        String own = value.getClass().getName();
        if (culprit != null && culprit.equals(own)) {
            return own + " is not serializable";
        }
        return own + " is not serializable: " + culprit + " (a class it refers to or captures) is not serializable";
    }

    private static final class LoaderAwareInput extends ObjectInputStream {
        LoaderAwareInput(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (context != null) {
                try {
                    return Class.forName(desc.getName(), false, context);
                } catch (ClassNotFoundException notThere) {
                    // fall through to this module's loader, then to the default (primitives, JDK)
                }
            }
            try {
                return Class.forName(desc.getName(), false, Wire.class.getClassLoader());
            } catch (ClassNotFoundException notThere) {
                return super.resolveClass(desc);
            }
        }
    }
}
