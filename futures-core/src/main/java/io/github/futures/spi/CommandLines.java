package io.github.futures.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the values of JVM options that look like secrets, wherever the project shows a command line
 * or an option (exception messages, a broken pool's reason, log lines): names stay, values go.
 * Internal to the project's executors and starter.
 *
 * <p>Masked: the value of a {@code -D} system property whose key contains {@code password},
 * {@code passwd}, {@code pwd}, {@code secret}, {@code token}, {@code credential}, {@code apikey},
 * {@code api-key} or {@code key} (any case); the whole value of {@code -Dspring.application.json};
 * the options of an agent ({@code -javaagent:<jar>=<options>}, {@code -agentlib:}, {@code -agentpath:});
 * {@code password=...} (or {@code passwd=}, {@code pwd=}) inside any value, as in a JDBC URL; and the
 * password of a URL's user information ({@code jdbc:mysql://user:password@host/db}).
 *
 * <pre>{@code
 * CommandLines.sanitize("-Xmx1g -Ddb.password=hunter2 -Durl=jdbc:pg://h/db?user=a&password=b")
 *     // "-Xmx1g -Ddb.password=****** -Durl=jdbc:pg://h/db?user=a&password=******"
 * }</pre>
 */
public final class CommandLines {

    /** What a masked value becomes. */
    public static final String MASK = "******";

    private static final String SECRET_WORD = "(?:password|passwd|pwd|secret|token|credential|apikey|api-key|key)";

    /** {@code -D<key>=<value>} with a secret-looking key; group 1 is what stays. */
    private static final Pattern SECRET_PROPERTY = Pattern.compile(
            "(-D[^=\\s]*" + SECRET_WORD + "[^=\\s]*=)\\S*", Pattern.CASE_INSENSITIVE);

    /** Spring's JSON property: its whole value, up to the next option in a joined line. */
    private static final Pattern SPRING_JSON = Pattern.compile(
            "(-Dspring\\.application\\.json=).*?(?=\\s+-|$)", Pattern.DOTALL);

    /** An agent's options: {@code -javaagent:<jar>=<options>}, {@code -agentlib:<lib>=<options>}. */
    private static final Pattern AGENT = Pattern.compile("(-(?:javaagent|agentlib|agentpath):[^=\\s]*=)\\S*");

    /** {@code password=...} inside a value (JDBC URLs), up to {@code &}, {@code ;} or white space. */
    private static final Pattern INLINE_PASSWORD = Pattern.compile(
            "((?<![\\w.-])(?:password|passwd|pwd)=)[^&;\\s]*", Pattern.CASE_INSENSITIVE);

    /** The password of a URL's user information, {@code scheme://user:password@host}; group 1 is what stays. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(://[^/\\s:@]+:)[^@/\\s]+(?=@)");

    private CommandLines() {
    }

    /**
     * A copy of a command line (or a list of options) with the values of secret-looking options
     * masked; each element is one argument, as given to {@link ProcessBuilder}.
     *
     * @param command the arguments
     * @return the masked arguments
     */
    public static List<String> sanitize(List<String> command) {
        Objects.requireNonNull(command, "command");
        List<String> out = new ArrayList<>(command.size());
        for (String arg : command) {
            if (arg != null && arg.startsWith("-Dspring.application.json=")) {
                out.add("-Dspring.application.json=" + MASK); // one argument: the whole value, spaces too
            } else {
                out.add(arg == null ? null : sanitize(arg));
            }
        }
        return out;
    }

    /**
     * A text (a command line joined with spaces, a message, a line of output) with the values of
     * secret-looking options masked.
     *
     * @param text the text, or {@code null}
     * @return the masked text, or {@code null}
     */
    public static String sanitize(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = mask(SPRING_JSON, text);
        s = mask(SECRET_PROPERTY, s);
        s = mask(AGENT, s);
        s = mask(URL_USER_INFO, s);
        return mask(INLINE_PASSWORD, s);
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

    private static String mask(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        do {
            m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + MASK));
        } while (m.find());
        m.appendTail(b);
        return b.toString();
    }
}
