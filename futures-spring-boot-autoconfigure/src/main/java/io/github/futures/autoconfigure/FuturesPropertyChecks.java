package io.github.futures.autoconfigure;

import io.github.futures.spi.CommandLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Checks of property values, each failing start-up with an
 * {@link InvalidConfigurationPropertyValueException} that names the property and says how to fix it.
 */
final class FuturesPropertyChecks {

    private FuturesPropertyChecks() {
    }

    /**
     * Checks a duration that must be positive.
     *
     * @param property the property's full name, for the message
     * @param value the value
     * @return the value
     * @throws InvalidConfigurationPropertyValueException naming the property if it is zero or negative
     */
    static Duration positive(String property, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new InvalidConfigurationPropertyValueException(property, value,
                    "Must be positive, such as 30s; remove the property for no limit.");
        }
        return value;
    }

    /**
     * Checks an optional worker count.
     *
     * @param property the property's full name, for the message
     * @param value the value or {@code null}
     * @throws InvalidConfigurationPropertyValueException naming the property if the value is below 1
     */
    static void checkPositive(String property, Integer value) {
        if (value != null && value < 1) {
            throw new InvalidConfigurationPropertyValueException(property, value,
                    "Must be at least 1; remove the property to use the default.");
        }
    }

    /**
     * Checks the shutdown timeout.
     *
     * @param timeout the value or {@code null}
     * @throws InvalidConfigurationPropertyValueException naming the property if it is negative
     */
    static void checkTimeout(Duration timeout) {
        checkTimeout("futures.shutdown.timeout", timeout);
    }

    /**
     * Checks a duration that must not be negative.
     *
     * @param property the property's full name, for the message
     * @param timeout the value or {@code null}
     * @throws InvalidConfigurationPropertyValueException naming the property if it is negative
     */
    static void checkTimeout(String property, Duration timeout) {
        if (timeout != null && timeout.isNegative()) {
            throw new InvalidConfigurationPropertyValueException(property, timeout,
                    "Must not be negative; use 0 to stop waiting at once, or a longer time.");
        }
    }

    /**
     * Checks the largest message size of a process pool.
     *
     * @param property the property's full name, for the message
     * @param size the value, not {@code null}
     * @return the size in bytes
     * @throws InvalidConfigurationPropertyValueException naming the property if it is below 1KB, or 2GB or more
     */
    static int messageSize(String property, DataSize size) {
        if (size == null || size.toBytes() < 1024 || size.toBytes() > Integer.MAX_VALUE) {
            throw new InvalidConfigurationPropertyValueException(property, size,
                    "Must be at least 1KB and below 2GB; remove the property to use the default, 128MB.");
        }
        return (int) size.toBytes();
    }

    /** Launcher options whose value is the next entry of jvm-args, as the java launcher reads them. */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("--add-opens", "--add-exports", "--add-reads",
            "--add-modules", "--limit-modules", "--patch-module", "--module-path", "-p", "--upgrade-module-path",
            "--enable-native-access");

    /** Launcher options that would replace the worker's main class or class path, or end the JVM before it runs. */
    private static final Set<String> REFUSED_OPTIONS = Set.of("-jar", "-m", "--module", "-cp", "-classpath",
            "--class-path", "-version", "--version", "-help", "--help", "-h", "-?", "-X", "--list-modules",
            "--describe-module", "-d", "--validate-modules", "--dry-run");

    /**
     * Checks that every entry of a pool's jvm-args is a JVM option: the java launcher takes the first
     * entry that is not an option for the main class, so {@code garbage} would start a worker that
     * cannot run ({@code ClassNotFoundException: garbage}) only when the first call arrives. The entry
     * is quoted with its secrets masked (a system property written without its {@code -D}, say): the
     * failure is logged, and the starter shows worker options masked everywhere.
     *
     * @param property the property's full name, for the message ({@code futures.process.jvm-args})
     * @param jvmArgs the entries, may be {@code null}
     * @throws InvalidConfigurationPropertyValueException naming the property, the entry and its index
     */
    static void checkJvmArgs(String property, List<String> jvmArgs) {
        if (jvmArgs == null) {
            return;
        }
        for (int i = 0; i < jvmArgs.size(); i++) {
            String arg = CommandLines.sanitizeArgument(jvmArgs.get(i));
            String name = property + "[" + i + "]";
            if (arg == null || arg.isBlank()) {
                throw new InvalidConfigurationPropertyValueException(name, arg, "JVM options must not be blank.");
            }
            String option = arg.strip();
            if (REFUSED_OPTIONS.contains(option)) {
                throw new InvalidConfigurationPropertyValueException(name, arg, "'" + option + "' would replace the"
                        + " worker's main class or class path, or stop the JVM before it runs; the pool sets them"
                        + " itself (use the class-path property for the class path).");
            }
            if (OPTIONS_WITH_VALUE.contains(option)) {
                if (i + 1 == jvmArgs.size()) {
                    throw new InvalidConfigurationPropertyValueException(name, arg, "'" + option
                            + "' needs a value: put it in the next entry, or write " + option + "=<value>.");
                }
                i++; // the value, whatever it looks like
                continue;
            }
            if (!option.startsWith("-") && !option.startsWith("@")) {
                throw new InvalidConfigurationPropertyValueException(name, arg, "Not a JVM option: each entry of "
                        + property + " is an option for the worker JVMs and starts with '-', such as -Xmx256m or"
                        + " -Dkey=value; the java launcher would take '" + arg + "' for the main class and no"
                        + " worker could start.");
            }
        }
    }

    /**
     * Checks a pool's java executable, when it is given as a path: it must be an executable file. A bare
     * command name ({@code java}) is looked up on the PATH when a worker starts.
     *
     * @param property the property's full name, for the message
     * @param javaExecutable the value
     * @throws InvalidConfigurationPropertyValueException naming the property if no executable file is there
     */
    static void checkJavaExecutable(String property, String javaExecutable) {
        boolean path = javaExecutable.indexOf('/') >= 0 || javaExecutable.indexOf(java.io.File.separatorChar) >= 0;
        if (javaExecutable.isBlank() || (path && !(Files.isRegularFile(Path.of(javaExecutable))
                && Files.isExecutable(Path.of(javaExecutable))))) {
            throw new InvalidConfigurationPropertyValueException(property, javaExecutable, "No executable file there;"
                    + " give the path of a java executable (such as <JDK>/bin/java), or remove the property to start"
                    + " workers with this JVM's own.");
        }
    }
}
