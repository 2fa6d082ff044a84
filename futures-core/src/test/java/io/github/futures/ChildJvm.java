package io.github.futures;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classpath in a fresh JVM and collects its output. */
final class ChildJvm {

    /** What a child JVM did. */
    record Outcome(boolean exited, int exitCode, List<String> lines, Duration took) {
    }

    private ChildJvm() {
    }

    /**
     * Runs {@code mainClass} and waits at most {@code limit} for it to exit; a child still alive
     * then is killed and reported as not exited.
     */
    static Outcome run(Class<?> mainClass, Duration limit) throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + "/bin/java";
        List<String> command = new ArrayList<>(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Output is small; read it all in the background so a chatty child never blocks on the pipe.
        var reader = new java.util.concurrent.CompletableFuture<String>();
        Thread t = new Thread(() -> {
            try {
                reader.complete(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                reader.completeExceptionally(e);
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
        boolean exited = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!exited) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out;
        try {
            out = reader.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            out = "<no output: " + e + ">";
        }
        return new Outcome(exited, exited ? p.exitValue() : -1, out.lines().toList(), took);
    }
}
