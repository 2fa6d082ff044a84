package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packages of futures-core depend on each other in one direction only: {@code io.github.futures}
 * on {@code spi} and {@code process}, {@code process} on {@code spi}, {@code spi} on the JDK. Read
 * from the main sources as text (imports and qualified names in code; comments and string literals
 * do not count), so no library is needed to check it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PackageCyclesTest {

    private static final String ROOT = "io.github.futures";
    private static final Path MAIN = Path.of("src", "main", "java");

    /** A package name of the project, as it appears in code: {@code io.github.futures} and lower-case segments. */
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.github\\.futures(?:\\.[a-z_][a-z0-9_]*)*");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** Comments, then string, text-block and char literals: what is not code. */
    private static final Pattern NOT_CODE = Pattern.compile(
            "/\\*.*?\\*/|//[^\\n]*|\"\"\"(?:\\\\.|[^\\\\])*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])+'",
            Pattern.DOTALL);

    /** No package of futures-core's main sources reaches itself through the others. */
    @Test
    void mainPackagesHaveNoImportCycle() {
        Map<String, Map<String, String>> graph = packageGraph(mainSources());
        assertThat(graph).as("packages read from %s", MAIN.toAbsolutePath()).containsKeys(ROOT, ROOT + ".spi", ROOT + ".process");
        List<String> cycle = findCycle(graph);
        assertThat(cycle).as(() -> "import cycle between packages of futures-core: " + describe(cycle, graph)).isEmpty();
    }

    /** spi depends on the JDK only, and process on spi only, as their package-info says. */
    @Test
    void spiAndProcessDependOnlyDownward() {
        Map<String, Map<String, String>> graph = packageGraph(mainSources());
        assertThat(graph.get(ROOT + ".spi")).as("what spi uses of the project (package <- file)").isEmpty();
        assertThat(graph.get(ROOT + ".process")).as("what process uses of the project (package <- file)")
                .containsOnlyKeys(ROOT + ".spi");
    }

    /** The checker itself finds a cycle through three packages, names it and the files that make each step, and ignores comments and strings. */
    @Test
    void checkerFindsACycleAndIgnoresCommentsAndStrings() {
        Map<String, String> sources = new TreeMap<>();
        sources.put("a/A.java", "package io.github.futures;\nimport io.github.futures.b.B;\nclass A {}");
        sources.put("b/B.java", "package io.github.futures.b;\nclass B { io.github.futures.c.C c; }");
        sources.put("c/C.java", "package io.github.futures.c;\n/** {@link io.github.futures.d.D} */\n"
                + "class C { String s = \"io.github.futures.d\"; java.util.List<io.github.futures.A> a; }");
        sources.put("d/D.java", "package io.github.futures.d;\n// import io.github.futures.A;\nclass D {}");
        Map<String, Map<String, String>> graph = packageGraph(sources);

        assertThat(graph.get("io.github.futures.d")).isEmpty();
        assertThat(graph.get("io.github.futures.c")).containsOnlyKeys("io.github.futures");
        List<String> cycle = findCycle(graph);
        assertThat(cycle).containsExactly("io.github.futures", "io.github.futures.b", "io.github.futures.c", "io.github.futures");
        assertThat(describe(cycle, graph)).isEqualTo("io.github.futures -> io.github.futures.b (a/A.java)"
                + " -> io.github.futures.c (b/B.java) -> io.github.futures (c/C.java)");

        sources.put("c/C.java", "package io.github.futures.c;\nclass C {}");
        assertThat(findCycle(packageGraph(sources))).isEmpty();
    }

    /** Every main source file of futures-core, by path, with its text. */
    private static Map<String, String> mainSources() {
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                sources.put(MAIN.relativize(p).toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sources;
    }

    /**
     * The project's packages, each with the packages it uses and, for each, the first file that uses it.
     *
     * @param sources path to source text
     */
    static Map<String, Map<String, String>> packageGraph(Map<String, String> sources) {
        Map<String, String> packageOf = new LinkedHashMap<>();
        Map<String, Map<String, String>> graph = new TreeMap<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Matcher m = PACKAGE.matcher(NOT_CODE.matcher(e.getValue()).replaceAll(" "));
            String pkg = m.find() ? m.group(1) : "";
            packageOf.put(e.getKey(), pkg);
            graph.putIfAbsent(pkg, new TreeMap<>());
        }
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String pkg = packageOf.get(e.getKey());
            String code = PACKAGE.matcher(NOT_CODE.matcher(e.getValue()).replaceAll(" ")).replaceFirst(" ");
            Matcher m = REFERENCE.matcher(code);
            while (m.find()) {
                String used = longestKnownPackage(m.group(), graph.keySet());
                if (used != null && !used.equals(pkg)) {
                    graph.get(pkg).putIfAbsent(used, e.getKey());
                }
            }
        }
        return graph;
    }

    /** The longest prefix of a dotted name that is a package of the sources (a name may go on with a class's nested names). */
    private static String longestKnownPackage(String name, Set<String> packages) {
        for (String n = name; ; n = n.substring(0, n.lastIndexOf('.'))) {
            if (packages.contains(n)) {
                return n;
            }
            if (n.lastIndexOf('.') < 0) {
                return null;
            }
        }
    }

    /**
     * A cycle of the graph, as the packages on it with the first repeated at the end; empty if none.
     * Depth-first from each package in name order, so the cycle reported is the same on every run.
     */
    static List<String> findCycle(Map<String, Map<String, String>> graph) {
        Set<String> done = new TreeSet<>();
        for (String start : graph.keySet()) {
            List<String> cycle = visit(start, graph, new ArrayList<>(), done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String pkg, Map<String, Map<String, String>> graph, List<String> path, Set<String> done) {
        int at = path.indexOf(pkg);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            cycle.add(pkg);
            return cycle;
        }
        if (done.contains(pkg)) {
            return List.of();
        }
        path.add(pkg);
        for (String next : graph.getOrDefault(pkg, Map.of()).keySet()) {
            List<String> cycle = visit(next, graph, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        done.add(pkg);
        return List.of();
    }

    /** {@code a -> b (the file of a that uses b) -> a (...)}. */
    private static String describe(List<String> cycle, Map<String, Map<String, String>> graph) {
        StringBuilder s = new StringBuilder(cycle.isEmpty() ? "" : cycle.get(0));
        for (int i = 1; i < cycle.size(); i++) {
            s.append(" -> ").append(cycle.get(i)).append(" (").append(graph.get(cycle.get(i - 1)).get(cycle.get(i))).append(')');
        }
        return s.toString();
    }
}
