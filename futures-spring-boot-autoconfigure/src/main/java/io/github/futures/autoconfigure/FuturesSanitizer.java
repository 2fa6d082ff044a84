package io.github.futures.autoconfigure;

import io.github.futures.spi.CommandLines;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one step that hides secrets wherever the starter shows a command line or a pool's
 * configuration: the {@code futures} endpoint (configuration, broken reason, workers), the
 * {@code futures} health details and the starter's own log lines.
 *
 * <p>Every value goes through the same steps, in order:
 * <ol>
 * <li>the {@linkplain Rule rules}: with Actuator on the class path, the application's
 * {@code SanitizingFunction} beans, as Spring Boot's {@code env} and {@code configprops} endpoints
 * apply them; the first that changes the value wins, whether values are shown or not;</li>
 * <li>unless values are shown ({@code management.endpoint.futures.show-values}), core's own masking
 * ({@link CommandLines}, the rules core applies to its exception messages too): a value whose key
 * looks secret ({@code password}, {@code passwd}, {@code pwd}, {@code secret}, {@code token},
 * {@code credential}, {@code api-key}, a name ending in {@code key}, Spring Boot's own
 * {@code spring.application.json} and {@code sun.java.command}, an agent's options) is replaced as a
 * whole; in any other value, secrets written inside it are replaced: {@code password=…} in a JDBC
 * URL, {@code "password": "…"} in JSON, {@code user:password@} in a URL.</li>
 * </ol>
 *
 * <p>A command line is taken apart first, so that each option reaches the rules with its own key:
 * {@code -Dname=value} and {@code --name=value} as {@code name}, {@code -XX:Name=value} as
 * {@code Name}, {@code -javaagent:jar=options} (and {@code -agentpath:}, {@code -agentlib:}) as
 * {@code javaagent} with the options as value. Anything else keeps the key of where it appears
 * ({@code jvmOptions}, {@code brokenReason}, ...). Environment variables given to workers appear by
 * name only.
 *
 * @since 0.1.0
 */
public final class FuturesSanitizer {

    /** What a hidden value is replaced with: Spring Boot's {@code SanitizableData.SANITIZED_VALUE}. */
    public static final String MASK = CommandLines.MASK;

    private static final Pattern TOKEN = Pattern.compile("\\S+");

    /**
     * One sanitizing rule: Spring Boot's {@code SanitizingFunction} seen without a dependency on
     * Actuator.
     */
    @FunctionalInterface
    public interface Rule {

        /**
         * The value to show for {@code key}.
         *
         * @param key the option's or configuration entry's name
         * @param value the value, never {@code null}
         * @return {@code value} itself to leave it to the next step, or what to show instead
         */
        Object apply(String key, Object value);
    }

    private final Supplier<? extends List<Rule>> rules;

    /**
     * A sanitizer with the given rules, asked for on each use.
     *
     * @param rules supplies the rules, in order
     */
    public FuturesSanitizer(Supplier<? extends List<Rule>> rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /**
     * A sanitizer with the built-in masking only.
     *
     * @return the sanitizer
     */
    public static FuturesSanitizer builtIn() {
        return new FuturesSanitizer(List::of);
    }

    /**
     * One value, under its key.
     *
     * @param key the key it is shown under
     * @param value the value, may be {@code null}
     * @param show whether values are shown unmasked (the rules still apply)
     * @return what to show
     */
    public Object value(String key, Object value, boolean show) {
        if (value == null) {
            return null;
        }
        for (Rule rule : this.rules.get()) {
            Object out = rule.apply(key, value);
            if (!Objects.equals(out, value)) {
                return out;
            }
        }
        if (show || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (CommandLines.isSecretName(key)) {
            return MASK;
        }
        return value instanceof String text ? CommandLines.maskInside(text) : value;
    }

    /**
     * One command-line argument.
     *
     * @param key the key for an argument that is not a {@code name=value} option
     * @param arg the argument, may be {@code null}
     * @param show whether values are shown unmasked (the rules still apply)
     * @return what to show
     */
    public String arg(String key, String arg, boolean show) {
        if (arg == null) {
            return null;
        }
        CommandLines.Option option = CommandLines.option(arg);
        if (option != null) {
            return option.with(value(option.name(), option.value(), show));
        }
        return String.valueOf(value(key, arg, show));
    }

    /**
     * A free text that may hold a command line, such as a pool's broken reason or an exception
     * message: each word is an {@linkplain #arg argument}; secrets written across words (JSON with
     * spaces) are masked too.
     *
     * @param key the key for words that are not {@code name=value} options
     * @param text the text, may be {@code null}
     * @param show whether values are shown unmasked (the rules still apply)
     * @return what to show
     */
    public String text(String key, String text, boolean show) {
        if (text == null) {
            return null;
        }
        String scanned = show ? text : CommandLines.maskSpans(text);
        Matcher words = TOKEN.matcher(scanned);
        StringBuilder out = new StringBuilder(scanned.length());
        while (words.find()) {
            words.appendReplacement(out, Matcher.quoteReplacement(arg(key, words.group(), show)));
        }
        words.appendTail(out);
        return out.toString();
    }

    /**
     * A pool's configuration, as its snapshot reports it.
     *
     * @param config the configuration
     * @param show whether values are shown unmasked (the rules still apply)
     * @return a copy to show
     */
    public Map<String, Object> config(Map<String, ?> config, boolean show) {
        Map<String, Object> out = new LinkedHashMap<>();
        config.forEach((key, value) -> out.put(key, configValue(key, value, show)));
        return out;
    }

    /**
     * A failure for a log line: its class and sanitized message, and those of its causes. No stack
     * trace: its frames are harmless, but a logged throwable prints its raw message.
     *
     * @param failure the failure
     * @return the description, values masked as when they are not shown
     */
    public String describe(Throwable failure) {
        StringBuilder out = new StringBuilder();
        List<Throwable> seen = new ArrayList<>();
        for (Throwable t = failure; t != null && !seen.contains(t); t = t.getCause()) {
            seen.add(t);
            out.append(seen.size() == 1 ? "" : "; caused by ").append(t.getClass().getName());
            if (t.getMessage() != null) {
                out.append(": ").append(text("message", t.getMessage(), false));
            }
        }
        return out.toString();
    }

    private Object configValue(String key, Object value, boolean show) {
        if (value == null) {
            return null;
        }
        if (key.toLowerCase(Locale.ROOT).contains("env")) {
            return environmentNames(value);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> nested = new LinkedHashMap<>();
            map.forEach((name, v) -> nested.put(String.valueOf(name), configValue(String.valueOf(name), v, show)));
            return nested;
        }
        if (value instanceof Iterable<?> items) {
            List<Object> list = new ArrayList<>();
            items.forEach(item -> list.add(item instanceof String s ? arg(key, s, show) : configValue(key, item, show)));
            return list;
        }
        if (value instanceof String[] items) {
            List<Object> list = new ArrayList<>();
            for (String item : items) {
                list.add(arg(key, item, show));
            }
            return list;
        }
        if (value instanceof String s) {
            return TOKEN.matcher(s).results().count() > 1 ? text(key, s, show) : arg(key, s, show);
        }
        return value(key, value, show);
    }

    /** Environment variables given to workers: names only, never values, whatever is shown. */
    private static Object environmentNames(Object value) {
        if (value instanceof Map<?, ?> env) {
            Map<String, Object> masked = new LinkedHashMap<>();
            env.keySet().forEach(name -> masked.put(String.valueOf(name), MASK));
            return masked;
        }
        if (value instanceof Iterable<?> names) {
            List<Object> masked = new ArrayList<>();
            names.forEach(name -> {
                String n = String.valueOf(name);
                int eq = n.indexOf('=');
                masked.add(eq < 0 ? n : n.substring(0, eq) + "=" + MASK);
            });
            return masked;
        }
        return MASK;
    }
}
