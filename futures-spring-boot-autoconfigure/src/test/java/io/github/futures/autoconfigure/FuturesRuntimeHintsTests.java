package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenProcessPool;
import io.github.futures.autoconfigure.actuate.FuturesEndpoint;
import io.github.futures.autoconfigure.cluster.FuturesClusterProperties;
import io.github.futures.RemoteTraceback;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.ClassUtils;

/** Tests for {@link FuturesRuntimeHints}. */
class FuturesRuntimeHintsTests {

    private final RuntimeHints hints = new RuntimeHints();

    FuturesRuntimeHintsTests() {
        new FuturesRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
    }

    /** Spring AOT finds the registrar through META-INF/spring/aot.factories. */
    @Test
    void registrarIsListedInAotFactories() {
        assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
                .load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(FuturesRuntimeHints.class);
    }

    /** The properties classes, their nested groups and a named pool's options can be bound and walked. */
    @Test
    void propertiesClassesCanBeBoundAndWalked() throws Exception {
        for (Class<?> type : new Class<?>[] { FuturesProperties.class, FuturesProperties.Process.class,
                FuturesProperties.Shutdown.class, FuturesProperties.NamedExecutor.class, FuturesClusterProperties.class }) {
            assertThat(RuntimeHintsPredicates.reflection().onType(type).withMemberCategory(MemberCategory.INVOKE_PUBLIC_METHODS))
                    .as(type.getName()).accepts(this.hints);
        }
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(
                FuturesProperties.ProcessOptions.class.getMethod("setJvmArgs", java.util.List.class))).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(
                FuturesProperties.NamedExecutor.class.getMethod("setKind", FuturesProperties.Kind.class))).accepts(this.hints);
    }

    /** The endpoint's response records can be written as JSON: their accessors are reachable. */
    @Test
    void endpointResponseTypesCanBeWrittenAsJson() throws Exception {
        assertThat(RuntimeHintsPredicates.reflection().onType(FuturesEndpoint.ExecutorsDescriptor.class)).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(
                FuturesEndpoint.ExecutorDescriptor.class.getMethod("maxWorkers"))).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(
                FuturesEndpoint.WorkerDescriptor.class.getMethod("pid"))).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onType(FuturesEndpoint.CompletedDescriptor.class)).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(
                io.github.futures.autoconfigure.actuate.FuturesEventsEndpoint.EventDescriptor.class.getMethod("detail")))
                .accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(
                io.github.futures.autoconfigure.actuate.FuturesEventsEndpoint.EventsDescriptor.class.getMethod("events")))
                .accepts(this.hints);
    }

    /** What the parent sends to and reads from worker processes can be Java-serialized. */
    @Test
    void wireClassesCanBeSerialized() throws Exception {
        assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(RemoteTraceback.class, true)).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(BrokenProcessPool.class, true)).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(FuturesProcessPoolStartupCheck.Probe.class, true)).accepts(this.hints);
        for (String name : FuturesRuntimeHints.WIRE_CLASS_NAMES) {
            // each name is a class of the library as it is now: a renamed class fails here, not in a native image
            assertThat(ClassUtils.isPresent(name, getClass().getClassLoader())).as(name).isTrue();
            assertThat(RuntimeHintsPredicates.reflection().onJavaSerialization(TypeReference.of(name), true)).as(name).accepts(this.hints);
        }
    }
}
