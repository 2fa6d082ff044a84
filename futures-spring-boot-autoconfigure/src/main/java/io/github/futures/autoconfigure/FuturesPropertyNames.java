package io.github.futures.autoconfigure;

import io.github.futures.autoconfigure.cluster.FuturesClusterProperties;
import io.github.futures.spi.CommandLines;
import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The property names under {@code futures.*} that the starter reads, walked from its properties classes
 * (and, for properties classes of other modules under the same prefix, read from the configuration
 * metadata on the class path), and the check that every {@code futures.*} property of the environment is one of them: Spring Boot
 * ignores an unknown key ({@code futures.thread.max-worker=5} leaves the default in force), so a typo
 * would go unnoticed.
 *
 * <p>Names are compared in Spring Boot's uniform form (relaxed binding: {@code max-workers},
 * {@code maxWorkers} and {@code max_workers} are one name). Environment variables are not checked: their
 * names cannot be mapped back to one property name ({@code FUTURES_PROCESS_MAX_WORKERS} could be
 * {@code max.workers} or {@code max-workers}).
 */
final class FuturesPropertyNames {

    /** The configuration metadata that spring-boot-configuration-processor writes for each properties class. */
    static final String METADATA = "META-INF/spring-configuration-metadata.json";

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("futures");

    /** Stands for a map key in a known name, as in {@code futures.executors.*.kind}. */
    private static final String ANY = "*";

    private static final ConfigurationPropertyName EXECUTORS = ConfigurationPropertyName.of("futures.executors");

    /** What only process pools read: the process options but those both kinds read. */
    private static final Set<String> PROCESS_ONLY = optionsOf(FuturesProperties.ProcessOptions.class,
            Set.of("maxWorkers", "callTimeout", "maxPending"));

    /** What only thread pools read: a named pool's own options but its kind and its shutdown. */
    private static final Set<String> THREAD_ONLY = optionsOf(FuturesProperties.NamedExecutor.class,
            Set.of("kind", "shutdown"));

    /** How many of the closest valid names a failure lists. */
    private static final int SUGGESTIONS = 3;

    private FuturesPropertyNames() {
    }

    /**
     * One known name: its elements ({@code *} for a map key), and whether names below it are its too
     * (the entries of a list or a map of values).
     */
    record Known(List<String> elements, boolean withChildren) {

        @Override
        public String toString() {
            return String.join(".", this.elements);
        }

        /** Whether {@code name} is this property, one of its entries, or a group above it. */
        boolean matches(ConfigurationPropertyName name) {
            int size = name.getNumberOfElements();
            int common = Math.min(size, this.elements.size());
            for (int i = 0; i < common; i++) {
                String element = this.elements.get(i);
                if (!element.equals(ANY) && !uniform(element).equals(name.getElement(i, Form.UNIFORM))) {
                    return false;
                }
            }
            return size <= this.elements.size() || this.withChildren;
        }

        /** This name with its map keys filled in from {@code name}, to compare with it. */
        String filledFrom(ConfigurationPropertyName name) {
            List<String> out = new ArrayList<>(this.elements.size());
            for (int i = 0; i < this.elements.size(); i++) {
                String element = this.elements.get(i);
                out.add(element.equals(ANY) && i < name.getNumberOfElements() ? name.getElement(i, Form.ORIGINAL) : element);
            }
            return String.join(".", out);
        }

        private static String uniform(String element) {
            return ConfigurationPropertyName.of(element).getElement(0, Form.UNIFORM);
        }
    }

    /** One property of the environment that the starter does not know. */
    record Unknown(String name, Origin origin, List<String> closest) {
    }

    /**
     * Every name the starter reads under {@code futures}: those of {@link FuturesProperties} and of
     * {@link FuturesClusterProperties}.
     *
     * @return the known names
     */
    static List<Known> known() {
        List<Known> known = new ArrayList<>();
        walk(FuturesProperties.class, List.of("futures"), known);
        walk(FuturesClusterProperties.class, List.of("futures", "cluster"), known);
        addFromMetadata(known);
        return known;
    }

    /**
     * Adds the {@code futures.*} names of the configuration metadata on the class path that the walk did not
     * give: those of a properties class of another module, or of the application, under the same prefix. A
     * name the walk already expanded ({@code futures.executors}, a map of groups) keeps its walked children.
     */
    private static void addFromMetadata(List<Known> known) {
        ClassLoader loader = FuturesPropertyNames.class.getClassLoader();
        try {
            Enumeration<URL> resources = loader.getResources(METADATA);
            while (resources.hasMoreElements()) {
                String json;
                try (InputStream in = resources.nextElement().openStream()) {
                    json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (!json.contains("\"futures.")) {
                    continue; // most files (Spring Boot's own) have nothing under futures
                }
                Object properties = JsonParserFactory.getJsonParser().parseMap(json).get("properties");
                if (!(properties instanceof List<?> list)) {
                    continue;
                }
                for (Object item : list) {
                    if (item instanceof Map<?, ?> property && property.get("name") instanceof String name
                            && name.startsWith("futures.") && known.stream().noneMatch(k -> k.toString().startsWith(name))) {
                        String type = String.valueOf(property.get("type"));
                        boolean withChildren = type.startsWith("java.util.Map") || type.startsWith("java.util.List")
                                || type.startsWith("java.util.Set") || type.startsWith("java.util.Collection")
                                || type.endsWith("[]");
                        known.add(new Known(List.of(name.split("\\.")), withChildren));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The walked names are still there; a metadata file that cannot be read adds nothing.
        }
    }

    private static void walk(Class<?> type, List<String> prefix, List<Known> known) {
        for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
            Method getter = descriptor.getReadMethod();
            if (getter == null || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            List<String> elements = append(prefix, DataObjectPropertyName.toDashedForm(descriptor.getName()));
            Class<?> propertyType = descriptor.getPropertyType();
            if (isGroup(propertyType)) {
                walk(propertyType, elements, known);
            } else if (Map.class.isAssignableFrom(propertyType)
                    && mapValueType(getter.getGenericReturnType()) instanceof Class<?> value && isGroup(value)) {
                walk(value, append(elements, ANY), known);
            } else {
                boolean withChildren = Map.class.isAssignableFrom(propertyType)
                        || Collection.class.isAssignableFrom(propertyType) || propertyType.isArray();
                known.add(new Known(elements, withChildren));
            }
        }
    }

    /** A nested group of a properties class: one of the starter's own classes, not an enum. */
    private static boolean isGroup(Class<?> type) {
        return !type.isEnum() && type.getName().startsWith(FuturesPropertyNames.class.getPackageName() + ".");
    }

    private static Type mapValueType(Type mapType) {
        return mapType instanceof ParameterizedType parameterized ? parameterized.getActualTypeArguments()[1] : null;
    }

    private static List<String> append(List<String> list, String element) {
        return Stream.concat(list.stream(), Stream.of(element)).toList();
    }

    /**
     * Checks every {@code futures.*} property of the environment against the known names.
     *
     * @param environment the environment
     * @throws FuturesUnknownPropertiesException listing each unknown name, where it was set, and the closest
     *     valid names
     */
    static void check(Environment environment) {
        List<Known> known = known();
        Map<String, Unknown> unknown = new LinkedHashMap<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
                continue;
            }
            iterable.stream().filter(ROOT::isAncestorOf)
                    .filter(name -> known.stream().noneMatch(k -> k.matches(name)))
                    .forEach(name -> unknown.computeIfAbsent(name.toString(), n -> {
                        ConfigurationProperty property = iterable.getConfigurationProperty(name);
                        return new Unknown(n, property != null ? property.getOrigin() : null, closest(name, known));
                    }));
        }
        if (!unknown.isEmpty()) {
            throw new FuturesUnknownPropertiesException(List.copyOf(unknown.values()));
        }
    }

    /**
     * Checks that the named pool {@code pool} sets no option that only the other kind of pool reads: a thread
     * pool ignores {@code jvm-args} and the other process options, a process pool ignores {@code virtual} and
     * {@code thread-name-prefix}, so that, as for a misspelt key, the default would silently apply. Environment
     * variables are not checked, as in {@link #check}.
     *
     * @param environment the environment
     * @param pool the pool's name, the key under {@code futures.executors}
     * @param kind the pool's kind
     * @throws InvalidConfigurationPropertyValueException naming the first such property, and what to do
     */
    static void checkKind(Environment environment, String pool, FuturesProperties.Kind kind) {
        Set<String> foreign = kind == FuturesProperties.Kind.THREAD ? PROCESS_ONLY : THREAD_ONLY;
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
                continue;
            }
            ConfigurationPropertyName found = iterable.stream().filter(EXECUTORS::isAncestorOf)
                    .filter(name -> name.getNumberOfElements() > 3 && isPool(name.getElement(2, Form.ORIGINAL), pool)
                            && foreign.contains(name.getElement(3, Form.UNIFORM)))
                    .findFirst().orElse(null);
            if (found != null) {
                ConfigurationProperty property = iterable.getConfigurationProperty(found);
                Object value = property == null ? null : property.getValue();
                String own = kind == FuturesProperties.Kind.THREAD ? "thread" : "process";
                String other = kind == FuturesProperties.Kind.THREAD ? "process" : "thread";
                throw new InvalidConfigurationPropertyValueException(found.toString(), shown(found, value),
                        "Only " + other + " pools read it, and '" + pool + "' is a " + own + " pool (futures.executors."
                                + pool + ".kind), which would ignore it. Remove it, or make the pool a " + other
                                + " pool.");
            }
        }
    }

    /**
     * A value quoted in a failure, as the starter shows worker options: environment values never, options
     * (one, or a list written with commas) with their secrets masked.
     */
    private static String shown(ConfigurationPropertyName name, Object value) {
        if (value == null) {
            return null;
        }
        if (name.getElement(3, Form.UNIFORM).equals("environment")) {
            return CommandLines.MASK;
        }
        return Stream.of(String.valueOf(value).split(",", -1)).map(CommandLines::sanitizeArgument)
                .collect(Collectors.joining(","));
    }

    private static boolean isPool(String element, String pool) {
        return element.equals(pool) || uniformKey(element).equals(uniformKey(pool));
    }

    private static String uniformKey(String key) {
        return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** The options that only one kind of named pool reads, in uniform form, from the properties classes. */
    private static Set<String> optionsOf(Class<?> type, Set<String> except) {
        Set<String> names = new HashSet<>();
        for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
            Method getter = descriptor.getReadMethod();
            if (getter != null && getter.getDeclaringClass() == type && !except.contains(descriptor.getName())) {
                names.add(uniformKey(descriptor.getName()));
            }
        }
        return Set.copyOf(names);
    }

    /** The valid names nearest to {@code name} by edit distance, nearest first. */
    static List<String> closest(ConfigurationPropertyName name, List<Known> known) {
        String target = name.toString();
        return known.stream().map(k -> k.filledFrom(name)).distinct()
                .sorted(Comparator.comparingInt((String candidate) -> distance(target, candidate)).thenComparing(c -> c))
                .limit(SUGGESTIONS).toList();
    }

    /** Levenshtein distance: the fewest one-character insertions, deletions and substitutions from a to b. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
