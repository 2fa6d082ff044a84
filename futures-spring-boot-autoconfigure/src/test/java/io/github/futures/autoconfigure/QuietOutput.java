package io.github.futures.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Captures what a test prints on {@code System.out} and {@code System.err}, as Spring Boot's
 * {@code OutputCaptureExtension} does, but without passing it on: the start-up failures a test provokes on
 * purpose are checked in {@link Captured} and stay out of the build's output. Logback's console appender
 * writes to whatever {@code System.out} is at the time, so the application's log is captured too.
 */
final class QuietOutput implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QuietOutput.class);

    /** What was printed during the test. */
    static final class Captured implements CharSequence {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final PrintStream originalOut = System.out;
        private final PrintStream originalErr = System.err;

        /** @return everything printed so far, standard output and error interleaved */
        synchronized String getOut() {
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public int length() {
            return toString().length();
        }

        @Override
        public char charAt(int index) {
            return toString().charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().subSequence(start, end);
        }

        @Override
        public String toString() {
            return getOut();
        }

        private void start() {
            PrintStream capture = new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (Captured.this) {
                        out.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (Captured.this) {
                        out.write(b, off, len);
                    }
                }
            }, true, StandardCharsets.UTF_8);
            System.setOut(capture);
            System.setErr(capture);
        }

        private void stop() {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Captured captured = new Captured();
        context.getStore(NAMESPACE).put(Captured.class, captured);
        captured.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getStore(NAMESPACE).get(Captured.class, Captured.class).stop();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Captured.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(Captured.class, Captured.class);
    }
}
