package io.github.futures.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The set-up the web tests of the actuator endpoints share: a real web application on a random port, and
 * requests to it over HTTP; for the write operations of {@code /actuator/futures/{name}}, the endpoint
 * exposed and JSON requests to it.
 */
final class FuturesEndpointWeb {

    /** How long a request or a call may take. */
    static final Duration WAIT = Duration.ofSeconds(30);

    /** Grants the endpoint's write operations (it is read-only by default). */
    static final String GRANTED = "management.endpoint.futures.access=unrestricted";

    private final HttpClient http = HttpClient.newHttpClient();

    private final JsonMapper json = JsonMapper.builder().build();

    /** Starts {@code application} on a random port without a banner, with {@code properties} as given. */
    static ConfigurableApplicationContext run(Class<?> application, String... properties) {
        return new SpringApplicationBuilder(application).properties("server.port=0", "spring.main.banner-mode=off")
                .properties(properties).run();
    }

    /**
     * Starts {@code application} on a random port with the endpoint exposed, the process pool off and the
     * thread pool at {@code threadWorkers}; {@code properties} come after, so they may change any of these.
     */
    static ConfigurableApplicationContext start(Class<?> application, int threadWorkers, String... properties) {
        return run(application, Stream.concat(Stream.of("futures.process.enabled=false",
                "futures.thread.max-workers=" + threadWorkers, "management.endpoints.web.exposure.include=futures"),
                Stream.of(properties)).toArray(String[]::new));
    }

    /** POSTs the JSON {@code body} to the endpoint of {@code pool}. */
    HttpResponse<String> post(ConfigurableApplicationContext context, String pool, String body)
            throws IOException, InterruptedException {
        return this.http.send(HttpRequest.newBuilder(uri(context, "/actuator/futures/" + pool)).timeout(WAIT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GETs the endpoint of {@code pool}, which must answer 200, and reads its JSON. */
    JsonNode get(ConfigurableApplicationContext context, String pool) throws IOException, InterruptedException {
        HttpResponse<String> r = response(context, "/actuator/futures/" + pool);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    /** GETs {@code path} of the server, with {@code headers} as name-value pairs, whatever its status. */
    HttpResponse<String> response(ConfigurableApplicationContext context, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(context, path)).timeout(WAIT).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON of a response's body. */
    JsonNode json(HttpResponse<String> response) {
        return this.json.readTree(response.body());
    }

    private static URI uri(ConfigurableApplicationContext context, String path) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return URI.create("http://localhost:" + port + path);
    }
}
