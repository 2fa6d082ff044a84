package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.process.SeedProcessExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cold program's own thread pays for a process pool, counted, not timed: a fresh JVM runs
 * the seed example ({@link Seed}) under {@code -Xlog:class+load} with thread ids, and marker classes
 * split the log into the constructor and the first {@code map}. Loading classes is most of what a
 * cold JVM spends there, and the counts do not depend on the machine's load: the warm-up thread is
 * off in that JVM, as if it got no CPU in time, so that no race decides which thread loads what. The bounds are generous
 * (about 1.5x today's counts); they catch a storm coming back, such as Java serialization, the
 * security providers or a logger back-end on the caller's thread (hundreds of classes).
 */
@Timeout(180)
class CallerThreadClassLoadsTest {

    /** Today about 100 (most of them the pool's own classes). */
    static final int CONSTRUCTOR_BOUND = 160;
    /** Today about 60, the program's own lambda bootstrap included; Java serialization alone is about 150. */
    static final int FIRST_MAP_BOUND = 100;

    @TempDir
    Path dir;

    /** The seed example, with marker classes loaded between its phases. */
    public static final class Seed {
        static final class M0 {
        }

        static final class M1 {
        }

        static final class M2 {
        }

        /**
         * Runs it.
         *
         * @param args unused
         */
        public static void main(String[] args) {
            ParentWarmUp.enabled = false; // what the caller's thread pays when the warm-up gets no CPU in time
            List<Long> numbers = LongStream.range(1_000_000_000_000L, 1_000_000_000_200L).boxed().toList();
            int primes = 0;
            new M0();
            try (ProcessPoolExecutor executor = new ProcessPoolExecutor(2)) {
                new M1();
                Iterator<Boolean> it = executor.map(SeedProcessExample::isPrime, numbers).iterator();
                new M2();
                while (it.hasNext()) {
                    primes += it.next() ? 1 : 0;
                }
            }
            System.out.println("primes=" + primes);
        }
    }

    /** The constructor and the first map of a static method reference load few classes on the caller's thread, and no serialization. */
    @Test
    void constructorAndFirstMapLoadFewClassesOnTheCallersThread() throws Exception {
        Path log = dir.resolve("classes.log");
        String java = System.getProperty("java.home") + "/bin/java";
        List<String> command = List.of(java, "-Xlog:class+load:file=" + log + ":tid", "-cp",
                System.getProperty("java.class.path"), Seed.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        long expected = LongStream.range(1_000_000_000_000L, 1_000_000_000_200L).filter(SeedProcessExample::isPrime).count();
        assertThat(out).contains("primes=" + expected);

        List<List<String>> phases = callerThreadPhases(Files.readAllLines(log));
        List<String> constructor = phases.get(0);
        List<String> firstMap = phases.get(1);
        assertThat(constructor).as("classes the constructor loaded on the caller's thread").isNotEmpty()
                .hasSizeLessThanOrEqualTo(CONSTRUCTOR_BOUND);
        assertThat(firstMap).as("classes the first map loaded on the caller's thread").isNotEmpty()
                .hasSizeLessThanOrEqualTo(FIRST_MAP_BOUND)
                .doesNotContain("java.io.ObjectOutputStream", "java.security.MessageDigest", "java.lang.System$LoggerFinder");
        assertThat(constructor).doesNotContain("java.io.ObjectOutputStream", "java.lang.ProcessBuilder",
                "java.lang.System$LoggerFinder");
    }

    /** The classes the marker's thread loaded between M0 and M1, and between M1 and M2. */
    static List<List<String>> callerThreadPhases(List<String> lines) throws IOException {
        Pattern line = Pattern.compile("^\\[(\\d+)\\]\\s*(\\S+)");
        String marker = Seed.class.getName() + "$M";
        List<List<String>> phases = List.of(new ArrayList<>(), new ArrayList<>());
        String caller = null;
        int phase = -1;
        for (String l : lines) {
            Matcher m = line.matcher(l);
            if (!m.find()) {
                continue;
            }
            String tid = m.group(1);
            String name = m.group(2);
            if (name.startsWith(marker)) {
                phase = name.charAt(marker.length()) - '0';
                caller = tid;
            } else if (phase >= 0 && phase < 2 && tid.equals(caller)) {
                phases.get(phase).add(name);
            }
        }
        assertThat(phase).as("markers seen in the class-load log").isEqualTo(2);
        return phases;
    }
}
