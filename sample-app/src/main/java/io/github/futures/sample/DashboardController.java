package io.github.futures.sample;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the dashboard at {@code /} reads, on the application's own port. The actuator listens on a port of its
 * own ({@code management.server.port}), so that probes never queue behind API traffic; a page loaded from the
 * application's port could reach it only through CORS and a second address. Instead this controller answers
 * with the very read operations of the actuator's web endpoints ({@code futures}, {@code futuresevents}),
 * invoked in-process as the actuator invokes them: the same JSON, sanitized the same way, and only for the
 * endpoints the actuator exposes.
 */
@RestController
@RequestMapping("/api/dashboard")
public class DashboardController {

    private final ObjectProvider<WebEndpointsSupplier> endpoints;
    private final Environment environment;
    private final PoolHistory history;

    public DashboardController(ObjectProvider<WebEndpointsSupplier> endpoints, Environment environment,
                               PoolHistory history) {
        this.endpoints = endpoints;
        this.environment = environment;
        this.history = history;
    }

    /**
     * The pools' load over the last minutes, sampled in the app, and their latency percentiles now.
     *
     * @param since only samples after this time (epoch milliseconds); 0, the default, for all
     * @return the history
     */
    @GetMapping("/history")
    public PoolHistory.History history(@RequestParam(defaultValue = "0") long since) {
        return history.since(since);
    }

    /**
     * Where the actuator is, for the page's links: the host the page was loaded from, the management port.
     *
     * @param request the page's request
     * @return {@code {"actuator": "http://host:port/actuator"}}
     */
    @GetMapping("/actuator")
    public Map<String, String> actuator(HttpServletRequest request) {
        String port = environment.getProperty("local.management.port",
                environment.getProperty("management.server.port", Integer.toString(request.getServerPort())));
        return Map.of("actuator", request.getScheme() + "://" + request.getServerName() + ":" + port + "/actuator");
    }

    /** The pools, as {@code GET /actuator/futures} shows them. */
    @GetMapping("/pools")
    public ResponseEntity<?> pools() {
        return read("futures", Map.of());
    }

    /** The pools' recent events, as {@code GET /actuator/futuresevents[?pool=]} shows them; 404 without that endpoint. */
    @GetMapping("/events")
    public ResponseEntity<?> events(@RequestParam(required = false) String pool) {
        return read("futuresevents", pool == null ? Map.of() : Map.of("pool", pool));
    }

    private ResponseEntity<?> read(String id, Map<String, Object> arguments) {
        Optional<WebOperation> operation = Optional.ofNullable(endpoints.getIfAvailable()).stream()
                .flatMap(supplier -> supplier.getEndpoints().stream())
                .filter(endpoint -> endpoint.getEndpointId().toString().equals(id))
                .flatMap(endpoint -> rootRead(endpoint).stream())
                .findFirst();
        if (operation.isEmpty()) {
            return ApiErrors.of(HttpStatus.NOT_FOUND, "no " + id + " endpoint: /actuator/" + id
                    + " is not present or not exposed (management.endpoints.web.exposure.include)");
        }
        Object body = operation.get().invoke(new InvocationContext(SecurityContext.NONE, arguments));
        if (body instanceof WebEndpointResponse<?> response) {
            return ResponseEntity.status(response.getStatus()).body(response.getBody());
        }
        return body == null ? ResponseEntity.notFound().build() : ResponseEntity.ok(body);
    }

    /** The endpoint's read operation at its root path ({@code /actuator/<id>}, not {@code /actuator/<id>/{name}}). */
    private static Optional<WebOperation> rootRead(ExposableWebEndpoint endpoint) {
        return endpoint.getOperations().stream()
                .filter(op -> op.getType() == OperationType.READ)
                .filter(op -> op.getRequestPredicate().getPath().equals(endpoint.getRootPath()))
                .findFirst();
    }
}
