package io.github.futures.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown at start-up when the environment sets properties under {@code futures.*} that the starter does
 * not read, such as {@code futures.thread.max-worker}; Spring Boot's failure report lists each with where
 * it was set and the closest valid names.
 *
 * @since 0.1.0
 */
public class FuturesUnknownPropertiesException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<FuturesPropertyNames.Unknown> unknown;

    FuturesUnknownPropertiesException(List<FuturesPropertyNames.Unknown> unknown) {
        super("Unknown futures properties: " + unknown.stream()
                .map(u -> u.name() + " (did you mean " + String.join(", ", u.closest()) + "?)")
                .collect(Collectors.joining("; ")));
        this.unknown = List.copyOf(unknown);
    }

    /**
     * The unknown names, as they were written.
     *
     * @return the names
     */
    public List<String> getNames() {
        return this.unknown.stream().map(FuturesPropertyNames.Unknown::name).toList();
    }

    List<FuturesPropertyNames.Unknown> unknown() {
        return this.unknown;
    }
}
