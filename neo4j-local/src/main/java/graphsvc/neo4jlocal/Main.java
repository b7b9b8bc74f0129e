package graphsvc.neo4jlocal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community as a process of its own, with Bolt on a loopback address and
 * authentication on. Everything it needs comes from the environment set by
 * {@code graphsvc db start}; nothing here has a default password.
 *
 * <ul>
 *   <li>{@code GRAPHSVC_NEO4J_HOME}: folder for data and logs (required)</li>
 *   <li>{@code GRAPHSVC_NEO4J_BOLT}: host:port to listen on (default 127.0.0.1:7687)</li>
 *   <li>{@code NEO4J_PASSWORD}: the password for user {@code neo4j} (required, 8+ chars)</li>
 *   <li>{@code GRAPHSVC_NEO4J_PAGECACHE}: page cache size in MiB (default 512)</li>
 *   <li>{@code GRAPHSVC_NEO4J_TX_TIMEOUT}: default transaction timeout in seconds (default 120)</li>
 *   <li>{@code GRAPHSVC_NEO4J_SETTINGS}: further Neo4j settings, {@code name=value} separated by
 *       semicolons or new lines (tuning; the listen address and authentication cannot be
 *       changed this way)</li>
 * </ul>
 *
 * When the database is up and the password is set, it writes {@code HOME/run/ready} with
 * its process id; a SIGTERM shuts it down cleanly and removes that file.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        Path home = Path.of(require("GRAPHSVC_NEO4J_HOME")).toAbsolutePath();
        String password = require("NEO4J_PASSWORD");
        if (password.length() < 8) {
            fail("NEO4J_PASSWORD must have at least 8 characters");
        }
        SocketAddress bolt = parseAddress(env("GRAPHSVC_NEO4J_BOLT", "127.0.0.1:7687"));
        if (!isLoopback(bolt.getHostname())) {
            fail("the local Neo4j listens on loopback only, not " + bolt.getHostname());
        }
        long pageCacheMiB = Long.parseLong(env("GRAPHSVC_NEO4J_PAGECACHE", "512"));
        long txTimeout = Long.parseLong(env("GRAPHSVC_NEO4J_TX_TIMEOUT", "120"));

        Path run = home.resolve("run");
        Files.createDirectories(run);
        Path ready = run.resolve("ready");
        Files.deleteIfExists(ready);

        // Tuning settings first, so the guarded ones set below always win.
        Path extra = run.resolve("extra-settings.conf");
        StringBuilder lines = new StringBuilder();
        extraSettings(env("GRAPHSVC_NEO4J_SETTINGS", "")).forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        Files.writeString(extra, lines.toString(), StandardCharsets.UTF_8);
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(extra)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, bolt)
                .setConfig(BoltConnector.advertised_address, bolt)
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMiB))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(txTimeout))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException ignored) {
                // the pid check in `graphsvc db status` does not rely on this file alone
            }
            dbms.shutdown();
            stopped.countDown();
        }, "graphsvc-neo4j-shutdown"));

        // The password comes from configuration on every start, so the configuration is the
        // one source of truth (and a changed secret takes effect on restart).
        try {
            setPassword(dbms, password);
        } catch (RuntimeException e) {
            System.err.println("graphsvc-neo4j: could not set the password: " + e.getMessage());
            System.exit(1);
        }

        Path tmp = run.resolve("ready.tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n" + bolt + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, ready, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("graphsvc-neo4j ready bolt://" + bolt);
        System.out.flush();
        stopped.await();
    }

    private static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            // A restart with an unchanged password: Neo4j refuses to "change" it to itself.
            if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }
    }

    /** Tuning settings from the environment; the ones that guard access are refused. */
    static Map<String, String> extraSettings(String text) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        for (String item : text.split("[;\\n]")) {
            String entry = item.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                fail("GRAPHSVC_NEO4J_SETTINGS entries are name=value, not " + entry);
            }
            String name = entry.substring(0, eq).strip();
            if (name.startsWith("server.bolt") || name.startsWith("server.http") || name.startsWith("server.https")
                    || name.startsWith("dbms.security") || name.startsWith("server.default_listen")
                    || name.startsWith("server.default_advertised")) {
                fail("GRAPHSVC_NEO4J_SETTINGS may not change " + name + " (listen address and authentication are fixed)");
            }
            settings.put(name, entry.substring(eq + 1).strip());
        }
        return settings;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static SocketAddress parseAddress(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            fail("GRAPHSVC_NEO4J_BOLT must be host:port, not " + value);
        }
        return new SocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String require(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail(name + " is not set");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("graphsvc-neo4j: " + message);
        System.exit(2);
    }
}
