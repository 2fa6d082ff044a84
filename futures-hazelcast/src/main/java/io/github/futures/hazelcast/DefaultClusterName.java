package io.github.futures.hazelcast;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cluster name of a member started without one: {@value ClusterNode#DEFAULT_CLUSTER_NAME}{@code -}
 * followed by a secret of this user's, so that the JVMs of one user on a machine find each other with
 * no configuration and other users do not know the name to join them with. (It keeps out those who
 * do not know it; it is not authentication: a member sends it unencrypted to every address it tries
 * to join, so a process listening on one of them learns it.)
 *
 * <p>Why: open-source Hazelcast authenticates nothing; a joining member and a connecting client are
 * let in when they present the cluster name. With a name everybody knows ({@code futures}), any other
 * user of the machine could start a member on 127.0.0.1, join, receive our calls with their data, and
 * send calls that run as our user.
 *
 * <p>The secret (32 hex digits from {@link SecureRandom}) is kept in
 * {@code $XDG_CONFIG_HOME/futures/cluster-secret} when that variable is an absolute path, else in
 * {@code ~/.config/futures/cluster-secret}. It is made on first use: the directories this makes are
 * {@code rwx------}, the file {@code rw-------}; it is written to a temporary file that is then linked
 * to its name, which fails rather than replaces when the name exists, so that JVMs starting at once
 * all end with the one secret (the loser reads the winner's). On a file system with POSIX modes, a
 * secret file or its directory is refused when it is a symbolic link, not this user's, or open to
 * other users (the file or its directory readable, writable or searchable by them; the directory
 * above it writable by them, but for the owner's own user private group). When no private secret
 * can be had (no home, a read-only file system, a refused file), nothing fails: this JVM uses a
 * random name of its own, said once in a warning, and other JVMs will not find it. Where the file
 * system has no POSIX modes (Windows), the file is kept without these checks.
 *
 * <p>The secret is never shown: where the cluster name is shown or logged (snapshots, the node's
 * start-up line, Hazelcast's log line prefix), the default is {@link #SHOWN}, or {@link #SHOWN_PER_JVM}.
 *
 * <p>Implementation note: the name is worked out once per JVM, under the class's lock
 * ({@link #current}); {@link #resolve} is the uncached step, on a given directory.
 */
final class DefaultClusterName {

    /** How the per-user default name is shown. */
    static final String SHOWN = ClusterNode.DEFAULT_CLUSTER_NAME + "-<per-user>";

    /** How the default name is shown when it is this JVM's own (no private secret could be had). */
    static final String SHOWN_PER_JVM = ClusterNode.DEFAULT_CLUSTER_NAME + "-<per-jvm>";

    static final String FILE_NAME = "cluster-secret";

    private static final Pattern SECRET = Pattern.compile("[0-9a-f]{16,128}");

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static final System.Logger LOG = System.getLogger(DefaultClusterName.class.getName());

    private static final SecureRandom RANDOM = new SecureRandom();

    /** This JVM's default, once worked out. Guarded by the class. */
    private static Name current;

    /**
     * A default cluster name and how it is shown.
     *
     * @param value the name members present
     * @param shown what is shown instead of it
     */
    record Name(String value, String shown) {

        @Override
        public String toString() {
            return shown; // never the secret
        }
    }

    private DefaultClusterName() {
    }

    /** This JVM's default cluster name, worked out (and the secret file made) on first use. */
    static synchronized Name current() {
        if (current == null) {
            current = resolve(directory());
        }
        return current;
    }

    /**
     * The logger under which Hazelcast logs {@code Cluster name: <name>} at INFO when a member starts,
     * and the filter that shows the default name there instead of the secret: held here, as a JUL
     * logger that nothing references may be collected and made anew without the filter. Guarded by
     * the class lock.
     */
    private static java.util.logging.Logger hazelcastSystemLog;

    /**
     * Makes Hazelcast's start-up line show {@code name} as {@link #shown} when it is this JVM's default
     * (a JUL filter on {@code com.hazelcast.system}, ahead of any filter set there before): Hazelcast
     * logs through JUL unless {@code hazelcast.logging.type} says otherwise, and a Spring Boot
     * application's JUL reaches its own logging, so the secret would be in the application's log.
     *
     * @param name a member's cluster name
     */
    static synchronized void maskInHazelcastLog(String name) {
        Name d = current;
        if (d == null || !d.value().equals(name) || hazelcastSystemLog != null) {
            return;
        }
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("com.hazelcast.system");
        log.setFilter(new Masking(d.value(), d.shown(), log.getFilter()));
        hazelcastSystemLog = log;
    }

    /** Shows a JUL record's secret as what is shown for it, then asks the filter that was there before. */
    private static final class Masking implements java.util.logging.Filter {
        private final String secret;
        private final String shown;
        private final java.util.logging.Filter next;

        Masking(String secret, String shown, java.util.logging.Filter next) {
            this.secret = secret;
            this.shown = shown;
            this.next = next;
        }

        @Override
        public boolean isLoggable(java.util.logging.LogRecord r) {
            String m = r.getMessage();
            if (m != null && m.contains(secret)) {
                r.setMessage(m.replace(secret, shown));
            }
            Object[] ps = r.getParameters();
            if (ps != null) {
                Object[] masked = ps.clone();
                for (int i = 0; i < masked.length; i++) {
                    if (masked[i] instanceof String s && s.contains(secret)) {
                        masked[i] = s.replace(secret, shown);
                    }
                }
                r.setParameters(masked);
            }
            return next == null || next.isLoggable(r);
        }
    }

    /** What to show for a cluster name: {@code name} itself, unless it is this JVM's default. */
    static String shown(String name) {
        Name d;
        synchronized (DefaultClusterName.class) {
            d = current;
        }
        return d != null && d.value().equals(name) ? d.shown() : name;
    }

    /**
     * The directory of the secret file: {@code $XDG_CONFIG_HOME/futures} when that variable is an
     * absolute path, else {@code ~/.config/futures}; {@code null} without a home.
     */
    static Path directory() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            try {
                Path p = Path.of(xdg);
                if (p.isAbsolute()) {
                    return p.resolve("futures");
                }
            } catch (RuntimeException invalid) {
                // as the XDG specification says: a relative or invalid path is ignored
            }
        }
        String home = System.getProperty("user.home");
        if (home == null || home.isBlank() || home.equals("?")) {
            return null;
        }
        try {
            return Path.of(home, ".config", "futures");
        } catch (RuntimeException invalid) {
            return null;
        }
    }

    /**
     * The default name from the secret file in {@code dir}, made if missing; or, when no private
     * secret can be had there, a name of this JVM's own, with a warning.
     *
     * @param dir the directory of the secret file, or {@code null} (no home)
     * @return the name
     */
    static Name resolve(Path dir) {
        String why;
        if (dir == null) {
            why = "there is no home directory (user.home) and no XDG_CONFIG_HOME";
        } else {
            try {
                return new Name(ClusterNode.DEFAULT_CLUSTER_NAME + "-" + readOrCreate(dir), SHOWN);
            } catch (IOException | RuntimeException e) {
                why = "the secret file " + dir.resolve(FILE_NAME) + " cannot be used: " + e.getMessage();
            }
        }
        String because = why;
        LOG.log(System.Logger.Level.WARNING, () -> "No private default cluster name: " + because
                + ". This JVM's cluster members use a name of their own, so other JVMs will not find them; give"
                + " every member the same name: ClusterExecutor.builder().clusterName(..), ClusterNode"
                + " --cluster-name=.., or futures.cluster.name (a name given so is not a secret: other users can"
                + " read a process's command line)");
        return new Name(ClusterNode.DEFAULT_CLUSTER_NAME + "-" + newSecret(), SHOWN_PER_JVM);
    }

    private static String readOrCreate(Path dir) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(parent, privateMode(posix, "rwx------"));
        }
        if (parent != null && posix) {
            refuseIf(othersMayWrite(parent));
        }
        try {
            Files.createDirectory(dir, privateMode(posix, "rwx------"));
        } catch (FileAlreadyExistsException exists) {
            // made before, or by another JVM just now: checked below like any other
        }
        if (posix) {
            refuseIf(unsafe(dir, true));
        }
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp", privateMode(posix, "rw-------"));
            try {
                Files.write(tmp, (newSecret() + "\n").getBytes(StandardCharsets.US_ASCII),
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
                try {
                    // link(2) never replaces: of JVMs racing here one wins, the others read its secret
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException lost) {
                    // another JVM's secret is there: read below
                } catch (UnsupportedOperationException | IOException noLinks) {
                    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            Files.move(tmp, file); // no hard links here: a move that does not replace
                        } catch (FileAlreadyExistsException lost) {
                            // read below
                        }
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        if (posix) {
            refuseIf(unsafe(file, false));
        }
        String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
        if (!SECRET.matcher(secret).matches()) {
            throw new IOException("it does not hold a secret this library wrote (16 to 128 hex digits); delete it"
                    + " to have a new one made");
        }
        return secret;
    }

    /**
     * Why {@code p} must not hold or contain the secret: a symbolic link, not a directory (or not a
     * regular file), not this user's, or open to other users; {@code null} when it is private.
     */
    private static String unsafe(Path p, boolean directory) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
            return p + " is a symbolic link";
        }
        if (directory ? !a.isDirectory() : !a.isRegularFile()) {
            return p + " is not a " + (directory ? "directory" : "regular file");
        }
        if (!mine(p, a)) {
            return p + " belongs to " + a.owner().getName() + ", not to this user";
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(a.permissions());
        open.retainAll(OTHERS);
        if (!open.isEmpty()) {
            return p + " is open to other users (" + PosixFilePermissions.toString(a.permissions()) + "); make it "
                    + (directory ? "rwx------ (chmod 700)" : "rw------- (chmod 600)") + " or delete it";
        }
        return null;
    }

    /** Why the directory above the secret's must not be used: other users may write to it; or {@code null}. */
    private static String othersMayWrite(Path dir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
        Set<PosixFilePermission> mode = a.permissions();
        boolean group = mode.contains(PosixFilePermission.GROUP_WRITE)
                && !a.group().getName().equals(a.owner().getName()); // a user private group is the owner's own
        if (group || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            return dir + " may be written to by other users (" + PosixFilePermissions.toString(mode) + ")";
        }
        return null;
    }

    /**
     * Whether {@code p} (of attributes {@code a}) is this user's: by user id where the kernel tells this
     * process's ({@code /proc/self}, Linux), else by the owner's name against {@code user.name}.
     */
    private static boolean mine(Path p, PosixFileAttributes a) throws IOException {
        try {
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return owner == (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException noUnixIds) {
            return a.owner().equals(p.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name")));
        }
    }

    private static void refuseIf(String reason) throws IOException {
        if (reason != null) {
            throw new IOException(reason);
        }
    }

    private static FileAttribute<?>[] privateMode(boolean posix, String mode) {
        return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))}
                : new FileAttribute<?>[0];
    }

    private static String newSecret() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
