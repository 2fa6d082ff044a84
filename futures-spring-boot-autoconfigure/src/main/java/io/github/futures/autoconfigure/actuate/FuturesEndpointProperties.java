package io.github.futures.autoconfigure.actuate;

import java.util.HashSet;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the {@code futures} endpoint, as Spring Boot's
 * {@code management.endpoint.env.*}.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("management.endpoint.futures")
public class FuturesEndpointProperties {

    /**
     * When to show values that look secret (in worker JVM options, broken reasons and the like)
     * unmasked: never, when-authorized or always. SanitizingFunction beans apply in every case.
     */
    private Show showValues = Show.NEVER;

    /**
     * Roles used to decide whether a user is authorized to see unmasked values; when empty, any
     * authenticated user is.
     */
    private final Set<String> roles = new HashSet<>();

    public Show getShowValues() {
        return this.showValues;
    }

    public void setShowValues(Show showValues) {
        this.showValues = showValues;
    }

    public Set<String> getRoles() {
        return this.roles;
    }
}
