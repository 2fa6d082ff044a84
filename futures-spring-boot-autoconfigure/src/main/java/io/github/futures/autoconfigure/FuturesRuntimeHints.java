package io.github.futures.autoconfigure;

import io.github.futures.BrokenExecutor;
import io.github.futures.BrokenProcessPool;
import io.github.futures.CancelledError;
import io.github.futures.InvalidStateError;
import io.github.futures.TimeoutError;
import io.github.futures.autoconfigure.actuate.FuturesEndpoint;
import io.github.futures.autoconfigure.actuate.FuturesEndpointProperties;
import io.github.futures.autoconfigure.actuate.FuturesEventsEndpoint;
import io.github.futures.autoconfigure.cluster.FuturesClusterProperties;
import io.github.futures.RemoteTraceback;
import java.util.ArrayList;
import java.util.List;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * What the starter and the process pool do reflectively, for Spring AOT and native images: bind the
 * properties classes (the named pools are bound by hand, outside {@code @ConfigurationProperties}) and walk
 * them for the known property names, write the endpoint's response types as JSON, and Java-serialize what
 * crosses the process boundary on the parent's side (the calls it sends, the exceptions it reads back). Registered in {@code META-INF/spring/aot.factories}.
 *
 * @since 0.1.0
 */
public class FuturesRuntimeHints implements RuntimeHintsRegistrar {

    /** The properties classes: bound and walked for their names. */
    static final List<Class<?>> PROPERTIES = List.of(FuturesProperties.class, FuturesProperties.NamedExecutor.class,
            FuturesClusterProperties.class, FuturesEndpointProperties.class);

    /** The endpoint's response types, written as JSON. */
    static final List<Class<?>> ENDPOINT_TYPES = List.of(FuturesEndpoint.ExecutorsDescriptor.class,
            FuturesEndpoint.ExecutorDescriptor.class, FuturesEndpoint.CompletedDescriptor.class,
            FuturesEndpoint.WorkerDescriptor.class, FuturesEndpoint.ReplacementDescriptor.class, FuturesEndpoint.ActionDescriptor.class, FuturesEventsEndpoint.EventsDescriptor.class,
            FuturesEventsEndpoint.EventDescriptor.class);

    /**
     * Java-serialized by the parent: the calls it sends (a runnable wrapped as a call, the map's pairs and
     * spread function, the start-up probe) and what it reads back (the remote traceback, the results of a map chunk, the library's exceptions). Package-private ones by name.
     */
    static final List<Class<?>> WIRE_CLASSES = List.of(RemoteTraceback.class, FuturesProcessPoolStartupCheck.Probe.class,
            BrokenExecutor.class, BrokenProcessPool.class, CancelledError.class, InvalidStateError.class,
            TimeoutError.class, ArrayList.class, StackTraceElement.class, StackTraceElement[].class, Throwable.class,
            Exception.class, RuntimeException.class);

    /** The library's own wire classes that are not public, by name. */
    static final List<String> WIRE_CLASS_NAMES = List.of("io.github.futures.spi.Serialization$RunnableCall",
            "io.github.futures.MapSupport$Pair", "io.github.futures.MapSupport$Spread");

    @Override
    public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
        BindableRuntimeHintsRegistrar.forTypes(PROPERTIES.toArray(Class<?>[]::new)).registerHints(hints, classLoader);
        for (Class<?> type : PROPERTIES) {
            registerPublicMethods(hints, type);
        }
        hints.resources().registerPattern(FuturesPropertyNames.METADATA);
        new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(),
                ENDPOINT_TYPES.toArray(Class<?>[]::new));
        for (Class<?> type : WIRE_CLASSES) {
            hints.reflection().registerJavaSerialization(type);
        }
        for (String type : WIRE_CLASS_NAMES) {
            if (ClassUtils.isPresent(type, classLoader)) {
                hints.reflection().registerJavaSerialization(ClassUtils.resolveClassName(type, classLoader));
            }
        }
    }

    /** The type and its nested groups: their getters are walked for the known property names. */
    private static void registerPublicMethods(RuntimeHints hints, Class<?> type) {
        hints.reflection().registerType(type, MemberCategory.INVOKE_PUBLIC_METHODS);
        for (Class<?> nested : type.getDeclaredClasses()) {
            if (!nested.isEnum() && !nested.isRecord()) {
                registerPublicMethods(hints, nested);
            }
        }
    }
}
