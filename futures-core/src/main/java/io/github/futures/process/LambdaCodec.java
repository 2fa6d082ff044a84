package io.github.futures.process;

import io.github.futures.spi.Serialization;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.StreamCorruptedException;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * A lambda or method reference that captured nothing, sent as the nine names that identify it
 * instead of as a Java serialization stream.
 *
 * <p>Why: serializing any lambda writes a {@link SerializedLambda}, whose {@code Object[]} of
 * captured arguments needs the default {@code serialVersionUID} of {@code Object[]}: a cold JVM
 * loads Java serialization, the security providers and SHA-1 to compute it (about 150 classes and
 * tens of milliseconds on the thread of the first {@code submit} or {@code map}). A worker reading
 * it loads {@code ObjectInputStream} and its filter machinery before its first call. A lambda that
 * captured nothing is fully described by the names its {@code SerializedLambda} holds, so both sides
 * skip serialization: the parent takes the {@code SerializedLambda} from the lambda's own
 * {@code writeReplace} (what serialization would call), the worker rebuilds it and resolves it
 * through the capturing class's {@code $deserializeLambda$} (what its {@code readResolve} does), so
 * the worker gets the same object that deserialization would give.
 *
 * <p>The worker checks the classes that a serialization stream of the lambda would have shown the
 * deserialization filter ({@code SerializedLambda}, {@code Object[]} and the capturing class), with
 * the same refusal message. Lambdas of named modules, which the worker could not reach by
 * reflection, and anything that fails here go through Java serialization as before.
 *
 * <p>Layout: the byte {@link #TAG} (a serialization stream starts with {@code 0xAC}), then the
 * {@code SerializedLambda}'s capturing class, functional interface class, method name and
 * signature, implementation method kind (an int), class, name and signature, and instantiated
 * method type, as modified UTF-8. Stateless and thread-safe.
 */
final class LambdaCodec {

    /** The first byte of an encoded lambda; never the first byte of a serialization stream (0xAC). */
    static final byte TAG = 0x4C;

    private LambdaCodec() {
    }

    /**
     * The lambda's names behind {@link #TAG}, or {@code null} when it must be serialized: it is not
     * a lambda that captured nothing, it belongs to a named module, or reflection refuses.
     *
     * @param fn a stateless serializable lambda ({@link Wire#STATELESS})
     * @return the encoded lambda, or {@code null}
     */
    static byte[] encode(Object fn) {
        Class<?> c = fn.getClass();
        if (c.getModule().isNamed()) {
            return null;
        }
        try {
            Method writeReplace = c.getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            if (!(writeReplace.invoke(fn) instanceof SerializedLambda sl) || sl.getCapturedArgCount() != 0) {
                return null;
            }
            Wire.Frame out = new Wire.Frame(256);
            out.write(TAG);
            DataOutputStream d = new DataOutputStream(out);
            d.writeUTF(sl.getCapturingClass());
            d.writeUTF(sl.getFunctionalInterfaceClass());
            d.writeUTF(sl.getFunctionalInterfaceMethodName());
            d.writeUTF(sl.getFunctionalInterfaceMethodSignature());
            d.writeInt(sl.getImplMethodKind());
            d.writeUTF(sl.getImplClass());
            d.writeUTF(sl.getImplMethodName());
            d.writeUTF(sl.getImplMethodSignature());
            d.writeUTF(sl.getInstantiatedMethodType());
            return out.toByteArray();
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            return null;
        }
    }

    /**
     * Whether {@link Serialization#DEFAULT_FILTER} refuses a class by its name: its {@code !name} and
     * {@code !package.*} entries (its limits do not apply to the three classes of an encoded lambda,
     * and it refuses neither {@code SerializedLambda} nor {@code Object}). A pattern with any other
     * kind of entry counts as refusing, so that a change of the default cannot let a class through here.
     *
     * @param className a class name
     * @return whether the default pattern refuses it
     */
    static boolean refusedByDefault(String className) {
        for (String part : Serialization.DEFAULT_FILTER.split(";")) {
            if (part.startsWith("maxdepth=") || part.startsWith("maxrefs=")) {
                continue;
            }
            if (!part.startsWith("!") || part.indexOf('/') >= 0 || part.indexOf('*') >= 0 && !part.endsWith(".*")
                    || part.indexOf('*') != part.lastIndexOf('*')) {
                return true; // not a kind of entry read here
            }
            String name = part.substring(1);
            if (name.endsWith(".*")) {
                String pkg = name.substring(0, name.length() - 1); // with its dot
                if (className.startsWith(pkg) && className.indexOf('.', pkg.length()) < 0) {
                    return true;
                }
            } else if (className.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this JVM was given a JVM-wide filter or filter factory, by system or security property. */
    private static volatile Boolean jvmWide;

    /**
     * Whether a JVM-wide deserialization filter or filter factory is configured ({@code jdk.serialFilter},
     * {@code jdk.serialFilterFactory}, as system or security properties), which the JDK's filter
     * configuration would apply too. Looked up once.
     *
     * @return whether one is
     */
    static boolean jvmWideFilterConfigured() {
        Boolean b = jvmWide;
        if (b == null) {
            b = System.getProperty("jdk.serialFilter") != null || System.getProperty("jdk.serialFilterFactory") != null
                    || java.security.Security.getProperty("jdk.serialFilter") != null
                    || java.security.Security.getProperty("jdk.serialFilterFactory") != null;
            jvmWide = b;
        }
        return b;
    }

    /**
     * Whether a call payload is an encoded lambda.
     *
     * @param payload the payload
     * @return whether it starts with {@link #TAG}
     */
    static boolean isEncoded(byte[] payload) {
        return payload.length > 0 && payload[0] == TAG;
    }

    /**
     * The lambda an {@link #encode} payload describes, as deserialization would make it.
     *
     * @param payload the payload
     * @param filter the pool's filter (then the JVM-wide one), shown the classes a stream would show;
     *     {@code null} when the pool's is the default pattern and there is no JVM-wide filter
     *     ({@link #jvmWideFilterConfigured()}): the capturing class is then checked by
     *     {@link #refusedByDefault}, without the JDK's filter configuration
     * @param loader resolves the capturing class
     * @return the lambda
     * @throws java.io.InvalidClassException naming a class the filter refused
     * @throws ClassNotFoundException if the capturing class is missing
     * @throws IOException if the payload is malformed or the lambda cannot be made
     */
    static Object decode(byte[] payload, ObjectInputFilter filter, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload, 1, payload.length - 1));
        String capturing = d.readUTF();
        String fiClass = d.readUTF();
        String fiName = d.readUTF();
        String fiSignature = d.readUTF();
        int kind = d.readInt();
        String implClass = d.readUTF();
        String implName = d.readUTF();
        String implSignature = d.readUTF();
        String instantiated = d.readUTF();
        if (d.available() != 0) {
            throw new StreamCorruptedException("trailing bytes after an encoded lambda");
        }
        if (filter != null) {
            Serialization.checkClass(filter, SerializedLambda.class, 1, payload.length, Wire.ALLOW_HINT);
            Serialization.checkClass(filter, Object[].class, 2, payload.length, Wire.ALLOW_HINT);
        }
        Class<?> owner = Class.forName(capturing.replace('/', '.'), false,
                loader != null ? loader : LambdaCodec.class.getClassLoader());
        if (filter != null) {
            Serialization.checkClass(filter, owner, 3, payload.length, Wire.ALLOW_HINT);
        } else if (refusedByDefault(owner.getName())) {
            throw Serialization.refusal(owner.getName(), Wire.ALLOW_HINT);
        }
        SerializedLambda sl = new SerializedLambda(owner, fiClass, fiName, fiSignature, kind, implClass, implName,
                implSignature, instantiated, new Object[0]);
        try {
            Method resolve = owner.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
            resolve.setAccessible(true);
            return resolve.invoke(null, sl);
        } catch (InvocationTargetException e) {
            throw Wire.cannotRead("lambda " + implClass + "::" + implName, e.getCause() instanceof Exception x ? x : e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw Wire.cannotRead("lambda " + implClass + "::" + implName, e);
        }
    }
}
