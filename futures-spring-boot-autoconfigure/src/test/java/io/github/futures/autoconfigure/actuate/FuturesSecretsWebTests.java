package io.github.futures.autoconfigure.actuate;

import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenProcessPool;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.autoconfigure.FuturesSanitizerTests;
import io.github.futures.autoconfigure.ProcessPoolExecutorCustomizer;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Secrets in a real web application: a process pool whose workers cannot start, so that its broken
 * reason holds the worker command line with every kind of secret option, read over HTTP by an
 * anonymous caller, by a user in the {@code ops} role and by one outside it
 * ({@code show-values=when-authorized}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesSecretsWebTests {

    private static ConfigurableApplicationContext context;

    private final FuturesEndpointWeb web = new FuturesEndpointWeb();

    @BeforeAll
    static void start() {
        List<String> properties = new ArrayList<>(List.of("management.endpoints.web.exposure.include=futures,health",
                "management.endpoint.health.show-details=always",
                "management.endpoint.futures.show-values=when-authorized", "management.endpoint.futures.roles=ops",
                "futures.thread.enabled=false", "futures.process.max-workers=1",
                // the agent of the examples does not exist: the pool is meant to break on first use, not at start-up
                "futures.process.validate-on-startup=false"));
        int i = 0;
        for (String arg : FuturesSanitizerTests.EXAMPLES.keySet()) {
            properties.add("futures.process.jvm-args[" + i++ + "]=" + arg);
        }
        properties.add("futures.process.jvm-args[" + i + "]=-Dapp.region=eu-west-1");
        context = FuturesEndpointWeb.run(WebApplication.class, properties.toArray(String[]::new));
        ProcessPoolExecutor pool = context.getBean(ProcessPoolExecutor.class);
        // The worker cannot start: the pool breaks, and its reason names the command line. The call
        // fails in its future, or at submit when the worker start failed first.
        try {
            assertThat(pool.submit((SerializableCallable<Integer>) () -> 1).exception(WAIT))
                    .isInstanceOf(BrokenProcessPool.class);
        } catch (BrokenProcessPool brokenAtSubmit) {
            // as expected too
        }
        assertThat(pool.snapshot().state()).isEqualTo("broken");
        // Core itself never shows a secret-looking option's value in a message (spi.CommandLines).
        assertThat(pool.snapshot().brokenReason()).contains("-Dapp.db.password=******").doesNotContain("hunter2");
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    /** A GET, as {@code user} with {@code roles} when a user is given (see {@link WebApplication#testPrincipal}). */
    private HttpResponse<String> get(String path, String user, String roles) throws IOException, InterruptedException {
        HttpResponse<String> response = user == null ? this.web.response(context, path)
                : this.web.response(context, path, "X-Test-User", user, "X-Test-Roles", roles);
        assertThat(response.statusCode()).as(path).isIn(200, 503);
        return response;
    }

    @Test
    void anonymousCallerSeesNoSecretInConfigOrBrokenReason() throws Exception {
        String body = get("/actuator/futures", null, null).body();
        FuturesSanitizerTests.EXAMPLES.values().forEach(secret -> assertThat(body).doesNotContain(secret));
        assertThat(body).contains("\"brokenReason\"", "-Dapp.db.password=******", "could not start a worker process");
    }

    @Test
    void userOutsideTheRolesSeesNoSecret() throws Exception {
        String body = get("/actuator/futures/futuresProcessPool", "dev", "dev").body();
        FuturesSanitizerTests.EXAMPLES.values().forEach(secret -> assertThat(body).doesNotContain(secret));
    }

    /** In the role: config and broken reason shown; the application's SanitizingFunction still masks its key. */
    @Test
    void userInARoleSeesTheValuesExceptWhatTheApplicationsFunctionMasks() throws Exception {
        String body = get("/actuator/futures/futuresProcessPool", "alice", "ops").body();
        FuturesSanitizerTests.EXAMPLES.values().forEach(secret -> assertThat(body).contains(secret));
        assertThat(body).doesNotContain("eu-west-1").contains("-Dapp.region=******");
    }

    /** Health details have no principal to ask: the broken reason is masked unless show-values is always. */
    @Test
    void healthDetailsMaskTheBrokenReasonEvenForAUserInARole() throws Exception {
        for (String user : new String[] { null, "alice" }) {
            HttpResponse<String> response = get("/actuator/health", user, "ops");
            assertThat(response.statusCode()).isEqualTo(503);
            FuturesSanitizerTests.EXAMPLES.values().forEach(secret -> assertThat(response.body()).doesNotContain(secret));
            assertThat(response.body()).contains("could not start a worker process", "-Dapp.db.password=******");
        }
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {

        /** Workers started with a java that does not exist. */
        @Bean
        ProcessPoolExecutorCustomizer missingJava() {
            return builder -> builder.javaExecutable("/nonexistent/bin/java");
        }

        @Bean
        SanitizingFunction regionIsPrivate() {
            return SanitizingFunction.sanitizeValue().ifKeyEquals("app.region");
        }

        /**
         * Stands in for an authentication layer: {@code X-Test-User} becomes the request's principal and
         * {@code X-Test-Roles} its roles, which is what Actuator asks the servlet request for.
         */
        @Bean
        Filter testPrincipal() {
            return (request, response, chain) -> {
                HttpServletRequest http = (HttpServletRequest) request;
                String user = http.getHeader("X-Test-User");
                if (user == null) {
                    chain.doFilter(request, response);
                    return;
                }
                Set<String> roles = Set.of(http.getHeader("X-Test-Roles").split(","));
                chain.doFilter(new HttpServletRequestWrapper(http) {
                    @Override
                    public Principal getUserPrincipal() {
                        return () -> user;
                    }

                    @Override
                    public boolean isUserInRole(String role) {
                        return roles.contains(role);
                    }
                }, response);
            };
        }
    }
}
