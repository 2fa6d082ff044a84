package io.github.futures.autoconfigure;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TimeoutError;
import java.io.Serial;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Starts one worker of each auto-configured process pool whose {@code validate-on-startup} is on, once every
 * singleton exists (at context refresh), so that a bad {@code java-executable} or JVM option fails start-up,
 * naming the property, instead of the first call. The pools are probed in parallel, each for at most
 * {@link #TIMEOUT}; the worker that answered stays, warm, for the first call.
 *
 * <p>A pool that fails its probe is left to the shutdown lifecycle, which shuts it down when the failed
 * context is destroyed.
 */
final class FuturesProcessPoolStartupCheck implements SmartInitializingSingleton {

    /**
     * How long a pool's first worker may take to start and answer. A worker starts in well under a
     * second; this leaves room for a loaded machine and a slow disk, and bounds a worker that hangs
     * (a debugger option with {@code suspend=y}, say).
     */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What a worker says when a class is not on its class path (the java launcher's or a class loader's words). */
    private static final Pattern MISSING_CLASS = Pattern.compile(
            "Could not find or load main class|ClassNotFoundException|NoClassDefFoundError");

    private final ConfigurableListableBeanFactory beanFactory;

    /** Bean name to the options it was built from and their prefix. */
    private final Map<String, Pool> pools;

    private final FuturesSanitizer sanitizer;

    /** One pool to probe: its properties' prefix and options. */
    record Pool(String prefix, FuturesProperties.ProcessOptions options) {
    }

    FuturesProcessPoolStartupCheck(ConfigurableListableBeanFactory beanFactory, Map<String, Pool> pools,
                                   FuturesSanitizer sanitizer) {
        this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
        this.pools = Map.copyOf(pools);
        this.sanitizer = Objects.requireNonNull(sanitizer, "sanitizer");
    }

    /** The pools to probe: the default process pool and the named process pools, where validate-on-startup is on. */
    static Map<String, Pool> poolsToCheck(FuturesProperties properties) {
        return processPools(properties, FuturesProperties.ProcessOptions::isValidateOnStartup);
    }

    /**
     * The auto-configured process pools (the default one when enabled, the named ones of kind
     * {@code process}) whose options pass {@code which}, by bean name.
     */
    static Map<String, Pool> processPools(FuturesProperties properties, Predicate<FuturesProperties.ProcessOptions> which) {
        Map<String, Pool> pools = new LinkedHashMap<>();
        if (properties.getProcess().isEnabled() && which.test(properties.getProcess())) {
            pools.put(FuturesAutoConfiguration.PROCESS_POOL_BEAN_NAME, new Pool("futures.process", properties.getProcess()));
        }
        properties.getExecutors().forEach((name, executor) -> {
            if (executor.getKind() == FuturesProperties.Kind.PROCESS && which.test(executor)) {
                pools.put(name, new Pool("futures.executors." + name, executor));
            }
        });
        return pools;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Map<String, Future<Boolean>> probes = new LinkedHashMap<>();
        this.pools.forEach((name, pool) -> {
            // A pool of the application's own (ours backed off) is not ours to probe.
            if (this.beanFactory.containsSingleton(name)
                    && this.beanFactory.getSingleton(name) instanceof ProcessPoolExecutor executor) {
                try {
                    probes.put(name, executor.submit(new Probe()));
                } catch (RuntimeException e) {
                    throw failure(name, pool, e);
                }
            }
        });
        probes.forEach((name, probe) -> {
            try {
                probe.result(TIMEOUT);
            } catch (TimeoutError e) {
                throw failure(name, this.pools.get(name), new IllegalStateException(
                        "its first worker did not answer within " + FuturesShutdownLifecycle.format(TIMEOUT)));
            } catch (RuntimeException e) {
                throw failure(name, this.pools.get(name), e);
            }
        });
    }

    /**
     * The failure, naming the property most likely at fault: the class path when the worker could not find a
     * class and a class path was given (the JVM options and executable are then fine: the JVM ran), else the JVM
     * options, else the java executable.
     */
    private InvalidConfigurationPropertyValueException failure(String name, Pool pool, Exception cause) {
        List<String> jvmArgs = pool.options().getJvmArgs();
        String classPath = pool.options().getClassPath();
        String reason = this.sanitizer.describe(cause).strip();
        while (reason.endsWith(".")) {
            reason = reason.substring(0, reason.length() - 1);
        }
        String property;
        Object value;
        if (classPath != null && MISSING_CLASS.matcher(reason).find()) {
            property = pool.prefix() + ".class-path";
            value = classPath;
        } else if (jvmArgs != null && !jvmArgs.isEmpty()) {
            property = pool.prefix() + ".jvm-args";
            value = jvmArgs.stream().map(arg -> this.sanitizer.arg(property, arg, false)).toList();
        } else if (pool.options().getJavaExecutable() != null) {
            property = pool.prefix() + ".java-executable";
            value = pool.options().getJavaExecutable();
        } else {
            property = pool.prefix() + ".validate-on-startup";
            value = true;
        }
        String check = classPath == null ? pool.prefix() + ".jvm-args and " + pool.prefix() + ".java-executable"
                : pool.prefix() + ".class-path, " + pool.prefix() + ".jvm-args and " + pool.prefix() + ".java-executable";
        return new InvalidConfigurationPropertyValueException(property, value, "The first worker of process pool '"
                + name + "' failed to start: " + reason + ". Check " + check + ", or set " + pool.prefix() + ".validate-on-startup=false to start workers on first"
                + " use only.");
    }

    /** The call that proves a worker started: it answers {@code true}. */
    static final class Probe implements SerializableCallable<Boolean> {

        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean call() {
            return Boolean.TRUE;
        }
    }
}
