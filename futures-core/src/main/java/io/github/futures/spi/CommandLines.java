package io.github.futures.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one set of rules that hides secrets wherever the project shows a command line, an option or a
 * configuration value: core's exception messages, a broken pool's reason and its log lines, and (through
 * the Spring Boot starter's sanitizer, which adds the application's own {@code SanitizingFunction}s and
 * {@code show-values} on top) the actuator endpoint and health. Names stay, values go.
 *
 * <p>The rules:
 * <ul>
 * <li>an option whose name looks secret loses its whole value: a name containing {@code password},
 * {@code passwd}, {@code pwd}, {@code secret}, {@code token}, {@code credential}, {@code apikey},
 * {@code api-key} (or {@code private-key}, {@code access-key}), or ending in {@code key}, any case;
 * Spring Boot's {@code spring.application.json} and {@code sun.java.command}; and an agent's options
 * ({@code -javaagent:<jar>=<options>}, {@code -agentlib:}, {@code -agentpath:}), which the agent alone
 * understands;</li>
 * <li>inside any other value, what is written there as a secret: {@code password=…} and the like in a
 * JDBC URL, {@code "password": "…"} in JSON, and the password of a URL's user information
 * ({@code jdbc:mysql://user:password@host/db}).</li>
 * </ul>
 * An option is {@code -Dname=value}, {@code --name=value} or {@code -XX:Name=value}.
 *
 * <pre>{@code
 * CommandLines.sanitize("-Xmx1g -Ddb.password=hunter2 -Durl=jdbc:pg://h/db?user=a&password=b")
 *     // "-Xmx1g -Ddb.password=****** -Durl=jdbc:pg://h/db?user=a&password=******"
 * }</pre>
 *
 * Internal to the project's executors and starter.
 */
public final class CommandLines {

    /** What a masked value becomes (Spring Boot's {@code SanitizableData.SANITIZED_VALUE}). */
    public static final String MASK = "******";

    private static final String SECRET_WORD =
            "(?:password|passwd|pwd|secret|token|credential|api[-_.]?key|private[-_.]?key|access[-_.]?key)";

    /** Names whose whole value is secret. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*" + SECRET_WORD + ".*|.*key"
            + "|sun[._]java[._]command|spring[._]application[._]json|javaagent|agentlib|agentpath");

    /** {@code name=value}, {@code name: value}, {@code "name": "value"} inside a longer value, with a secret name. */
    private static final Pattern EMBEDDED = Pattern.compile("(?i)(?<![\\w.\\-])([\\w.\\-]*(?:" + SECRET_WORD
            + "[\\w.\\-]*|key))(\"?'?\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s&;,\"'}\\]]+)");

    /** {@code scheme://user:password@host}. */
    private static final Pattern USER_INFO = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.\\-]*://[^/\\s:@]+:)([^@\\s/]+)(@)");

    /** Spring's JSON property in a joined line: its whole value, up to the next option. */
    private static final Pattern SPRING_JSON = Pattern.compile("(-Dspring\\.application\\.json=).*?(?=\\s+-|$)",
            Pattern.DOTALL);

    /** {@code -Dname=value}, {@code --name=value}, {@code -XX:Name=value}. */
    private static final Pattern OPTION = Pattern.compile("(-D|--|-XX:[+\\-]?)([^=\\s]+)=(.*)", Pattern.DOTALL);

    /** {@code -javaagent:jar=options}, {@code -agentpath:lib=options}, {@code -agentlib:name=options}. */
    private static final Pattern AGENT = Pattern.compile("-(javaagent|agentpath|agentlib):([^=]*)=(.*)", Pattern.DOTALL);

    private static final Pattern WORD = Pattern.compile("\\S+");

    private CommandLines() {
    }

    /**
     * One option of a command line taken apart.
     *
     * @param head what stands before the {@code =}: {@code -Dapp.password}, {@code -javaagent:/opt/a.jar}
     * @param name the option's name for the rules: {@code app.password}; {@code javaagent} for an agent
     * @param value what stands after the {@code =}
     */
    public record Option(String head, String name, String value) {

        /**
         * The option with another value.
         *
         * @param newValue the value
         * @return {@code head=newValue}
         */
        public String with(Object newValue) {
            return head + "=" + newValue;
        }
    }

    /**
     * Takes an option apart.
     *
     * @param arg one argument of a command line
     * @return the option, or {@code null} when the argument is not a {@code name=value} option
     */
    public static Option option(String arg) {
        Matcher option = OPTION.matcher(arg);
        if (option.matches()) {
            return new Option(option.group(1) + option.group(2), option.group(2), option.group(3));
        }
        Matcher agent = AGENT.matcher(arg);
        if (agent.matches()) {
            return new Option("-" + agent.group(1) + ":" + agent.group(2), agent.group(1), agent.group(3));
        }
        return null;
    }

    /**
     * Whether a value shown under this name is secret as a whole.
     *
     * @param name an option's or a configuration entry's name
     * @return whether it looks secret
     */
    public static boolean isSecretName(String name) {
        return name != null && SECRET_NAME.matcher(name).matches();
    }

    /**
     * A value with the secrets written inside it masked: {@code password=…} and other {@code name=value}
     * pairs with secret names, JSON members with secret names, a URL's user-information password.
     *
     * @param value the value
     * @return the masked value
     */
    public static String maskInside(String value) {
        String out = USER_INFO.matcher(value).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3");
        Matcher m = EMBEDDED.matcher(out);
        if (!m.find()) {
            return out;
        }
        StringBuilder sb = new StringBuilder(out.length());
        do {
            String secret = m.group(3);
            String quote = secret.startsWith("\"") ? "\"" : secret.startsWith("'") ? "'" : "";
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2) + quote + MASK + quote));
        } while (m.find());
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * A free text with the secrets that span several words masked: the whole value of
     * {@code -Dspring.application.json} (JSON with spaces) up to the next option, and what
     * {@link #maskInside} masks. Word-by-word masking ({@link #sanitize(String)}) comes after this.
     *
     * @param text the text
     * @return the masked text
     */
    public static String maskSpans(String text) {
        Matcher m = SPRING_JSON.matcher(text);
        String out = m.find() ? m.replaceAll("$1" + Matcher.quoteReplacement(MASK)) : text;
        return maskInside(out);
    }

    /**
     * One argument of a command line, masked.
     *
     * @param arg the argument, or {@code null}
     * @return the masked argument, or {@code null}
     */
    public static String sanitizeArgument(String arg) {
        if (arg == null) {
            return null;
        }
        Option option = option(arg);
        if (option == null) {
            return maskInside(arg);
        }
        return option.with(isSecretName(option.name()) ? MASK : maskInside(option.value()));
    }

    /**
     * A copy of a command line (or a list of options) with the secrets masked; each element is one
     * argument, as given to {@link ProcessBuilder}.
     *
     * @param command the arguments
     * @return the masked arguments
     */
    public static List<String> sanitize(List<String> command) {
        Objects.requireNonNull(command, "command");
        List<String> out = new ArrayList<>(command.size());
        for (String arg : command) {
            out.add(sanitizeArgument(arg));
        }
        return out;
    }

    /**
     * A text (a command line joined with spaces, a message, a line of output) with the secrets masked,
     * word by word after {@link #maskSpans}.
     *
     * @param text the text, or {@code null}
     * @return the masked text, or {@code null}
     */
    public static String sanitize(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        Matcher words = WORD.matcher(maskSpans(text));
        StringBuilder out = new StringBuilder(text.length());
        while (words.find()) {
            words.appendReplacement(out, Matcher.quoteReplacement(sanitizeArgument(words.group())));
        }
        words.appendTail(out);
        return out.toString();
    }

    /**
     * A command line as one line, masked: the arguments joined with spaces.
     *
     * @param command the arguments
     * @return the masked line
     */
    public static String toLine(List<String> command) {
        return String.join(" ", sanitize(command));
    }
}
