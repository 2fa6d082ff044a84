package io.github.futures.process;

import java.io.Serializable;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * What a worker's second thread does before it first waits for the reader role, when no job came soon
 * after the worker started ({@link WorkerMain#WARM_UP_AFTER_MILLIS}): the path of a first call that costs most in a fresh JVM, run once on calls of its own.
 * The first class loaded from the application's class path (a copy of this class, by a throwaway loader). A lambda that captured nothing is encoded and decoded as the pool sends one ({@link LambdaCodec}: the
 * {@code SerializedLambda}, the capturing class's {@code $deserializeLambda$} and the lambda bootstrap
 * behind it), called, and its result encoded into a frame that is never sent. A worker started ahead of
 * its calls ({@code prestartWorkers()}, {@code futures.process.prestart}) then takes its first call warm.
 *
 * <p>While it runs, the other thread may run a call that arrives, and frames that arrive then are read when
 * it ends. Any failure is ignored: a call then pays for what was not warmed. Internal.
 */
final class WorkerWarmUp {

    private WorkerWarmUp() {
    }

    /**
     * Warms the first-call path.
     *
     * @param loader the application's class loader, as calls are decoded with
     */
    static void run(ClassLoader loader) {
        try {
            if (loader instanceof URLClassLoader app && loader != WorkerWarmUp.class.getClassLoader()) {
                // The application's class loader: a throwaway loader over the same class path defines a copy of
                // this class, through the path a call's own class takes (the jars opened, the JDK's security
                // properties read, the code source and its permissions), then closes what it opened.
                try (URLClassLoader copy = new URLClassLoader(app.getURLs(), ClassLoader.getPlatformClassLoader())) {
                    Class.forName(WorkerWarmUp.class.getName(), false, copy);
                }
            }
            Callable<Object> call = (Callable<Object> & Serializable) WorkerWarmUp::value;
            Object task = LambdaCodec.decode(LambdaCodec.encode(call), null, loader);
            Wire.encodeValue(new Wire.Frame(256), ((Callable<?>) task).call());
            Function<Object, Object> fn = (Function<Object, Object> & Serializable) WorkerWarmUp::apply;
            @SuppressWarnings("unchecked")
            Function<Object, Object> mapped = (Function<Object, Object>) LambdaCodec.decode(LambdaCodec.encode(fn), null, loader);
            ArrayList<Object> chunk = new ArrayList<>(1); // a map chunk's results, as WorkerMain.Chunk returns them
            chunk.add(mapped.apply(1L));
            Wire.encodeValue(new Wire.Frame(256), chunk);
        } catch (Throwable ignored) {
            // the first call pays for it instead
        }
    }

    private static Object value() {
        return Boolean.TRUE;
    }

    private static Object apply(Object item) {
        return item instanceof Long n && n > 0L;
    }
}
