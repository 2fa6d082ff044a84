import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bounded HTTP load client for the sample app, on loopback only: {@code clients} threads each send
 * {@code GET path} one after another for {@code seconds}, with a per-request timeout, and the run
 * prints one summary line: requests, answers by status, timeouts, refused connections (a client stops at its
 * first: the server is gone), other errors (a request accepted and never answered), latency percentiles.
 *
 * <pre>
 * java LoadTest.java http://127.0.0.1:8080 /api/primes?count=20 32 60 5
 *                    base-url             path                clients seconds timeout-seconds
 * </pre>
 *
 * Only loopback addresses are accepted. Run by {@code run.sh}; needs JDK 17+ (source launcher).
 */
public class LoadTest {

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: java LoadTest.java <base-url> <path> <clients> <seconds> <timeout-seconds>");
            System.exit(2);
        }
        URI base = URI.create(args[0]);
        String host = base.getHost();
        if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1"))) {
            System.err.println("refused: " + host + " is not a loopback address");
            System.exit(2);
        }
        URI target = base.resolve(args[1]);
        int clients = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        Duration timeout = Duration.ofSeconds(Long.parseLong(args[4]));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(clients);
        List<List<Long>> latencies = new ArrayList<>();
        List<Map<String, Integer>> outcomes = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            List<Long> mine = new ArrayList<>();
            Map<String, Integer> counts = new TreeMap<>();
            latencies.add(mine);
            outcomes.add(counts);
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        HttpRequest request = HttpRequest.newBuilder(target).timeout(timeout).GET().build();
                        long t0 = System.nanoTime();
                        String outcome;
                        try {
                            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                            outcome = Integer.toString(response.statusCode());
                            mine.add(System.nanoTime() - t0);
                        } catch (java.net.http.HttpTimeoutException e) {
                            outcome = "timeout";
                        } catch (java.net.ConnectException e) {
                            // Not accepted at all: the server is gone (or not listening yet). Not a request
                            // left without an answer; this client stops, so as not to spin on refusals.
                            counts.merge("refused", 1, Integer::sum);
                            break;
                        } catch (IOException e) {
                            outcome = "error";
                            if (stop.get()) {
                                break;
                            }
                        } catch (InterruptedException e) {
                            break;
                        }
                        counts.merge(outcome, 1, Integer::sum);
                    }
                } finally {
                    done.countDown();
                }
            }, "load-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        // Every client ends after its request in flight: bounded by the request timeout.
        if (!done.await(timeout.toSeconds() + 10, TimeUnit.SECONDS)) {
            System.err.println("some clients did not end in time");
        }
        List<Long> all = new ArrayList<>();
        Map<String, Integer> total = new TreeMap<>();
        for (int i = 0; i < clients; i++) {
            synchronized (latencies.get(i)) {
                all.addAll(latencies.get(i));
            }
            outcomes.get(i).forEach((k, v) -> total.merge(k, v, Integer::sum));
        }
        Collections.sort(all);
        int requests = total.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("path=%s clients=%d seconds=%d requests=%d outcomes=%s p50_ms=%s p99_ms=%s max_ms=%s%n",
                args[1], clients, seconds, requests, total, pct(all, 50), pct(all, 99), pct(all, 100));
    }

    private static String pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int i = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        return String.format("%.1f", sorted.get(Math.max(0, i)) / 1e6);
    }
}
