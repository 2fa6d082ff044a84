package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process pool inside a Spring Boot executable jar, for real: the test builds a jar laid out as
 * Boot's repackager does (Boot's loader classes at the root, the application under
 * {@code BOOT-INF/classes/}, {@code JarLauncher} as main class), runs it with {@code java -jar}, and
 * the seed example inside starts its workers through {@code PropertiesLauncher}. Boot's loader is
 * taken from the local Maven repository, where the build's spring-boot-maven-plugin put it (inside
 * {@code spring-boot-loader-tools}); futures-core itself does not depend on Spring.
 */
@Timeout(120)
class BootJarTest {

    private static Path codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The seed example run with java -jar from a boot jar prints its 200 lines: its workers started through PropertiesLauncher. */
    @Test
    void seedExampleRunsFromABootExecutableJar(@TempDir Path tmp) throws Exception {
        // Boot's loader is a test-scope dependency of futures-core (spring-boot-loader); the library
        // itself never links against it.
        Path loaderJar = codeSource(Class.forName("org.springframework.boot.loader.launch.JarLauncher"));
        Path jar = tmp.resolve("app.jar");
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, "org.springframework.boot.loader.launch.JarLauncher");
        a.putValue("Start-Class", SeedProcessExample.class.getName());
        a.putValue("Spring-Boot-Classes", "BOOT-INF/classes/");
        a.putValue("Spring-Boot-Lib", "BOOT-INF/lib/");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            try (JarInputStream loader = new JarInputStream(Files.newInputStream(loaderJar))) {
                for (JarEntry e; (e = loader.getNextJarEntry()) != null; ) {
                    if (!e.getName().startsWith("META-INF/")) {
                        out.putNextEntry(new JarEntry(e.getName()));
                        loader.transferTo(out);
                        out.closeEntry();
                    }
                }
            }
            out.putNextEntry(new JarEntry("BOOT-INF/"));
            out.closeEntry();
            out.putNextEntry(new JarEntry("BOOT-INF/lib/"));
            out.closeEntry();
            java.util.Set<String> dirs = new java.util.HashSet<>();
            copyTree(codeSource(ProcessPoolExecutor.class), "BOOT-INF/classes/", out, p -> true, dirs);
            String example = SeedProcessExample.class.getName().replace('.', '/');
            copyTree(codeSource(SeedProcessExample.class), "BOOT-INF/classes/", out,
                    p -> p.startsWith(example) && p.endsWith(".class"), dirs);
        }
        assertThat(WorkerCommand.isBootJar(jar.toString())).isTrue();

        Process p = new ProcessBuilder(WorkerCommand.currentJava(), "-jar", jar.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(lines).hasSize(200);
        assertThat(lines.get(0)).isEqualTo("1000000000000 is prime: False");
        assertThat(lines).contains("1000000000039 is prime: True");
        assertThat(lines.get(199)).isEqualTo("1000000000199 is prime: False");
    }

    /** Copies the files under {@code root} whose relative path passes {@code keep}, under {@code prefix}, with their directories. */
    private static void copyTree(Path root, String prefix, JarOutputStream out, java.util.function.Predicate<String> keep,
                                 java.util.Set<String> dirs) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                if (keep.test(rel)) {
                    String full = prefix + rel;
                    for (int i = full.indexOf('/'); i >= 0; i = full.indexOf('/', i + 1)) {
                        String dir = full.substring(0, i + 1);
                        if (!dir.equals("BOOT-INF/") && dirs.add(dir)) {
                            out.putNextEntry(new JarEntry(dir));
                            out.closeEntry();
                        }
                    }
                    out.putNextEntry(new JarEntry(prefix + rel));
                    try (InputStream in = Files.newInputStream(f)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
    }

}
