package dev.datastores.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of masters only, one process per loopback port (cluster bus on port + 10000), each in
 * its own temporary directory, for integration tests. Closing it stops the nodes and deletes the directories.
 */
public final class RedisCluster implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final int[] ports;
    private final List<Process> nodes = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();

    private RedisCluster(int[] ports) {
        this.ports = ports;
    }

    /** Starts a node on each port, joins them into one cluster and waits until it serves every slot. */
    public static RedisCluster start(int... ports) throws IOException {
        RedisCluster cluster = new RedisCluster(ports);
        try {
            for (int port : ports) {
                shutDownLeftover(port);
            }
            for (int port : ports) {
                cluster.startNode(port);
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            Arrays.stream(ports).forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            cluster.awaitState();
            return cluster;
        } catch (IOException | RuntimeException failure) {
            cluster.close();
            throw failure;
        }
    }

    /** The hosts setting for the Quarkus Redis client in cluster mode. */
    public String hosts() {
        return Arrays.stream(ports).mapToObj(port -> "redis://127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    public int[] ports() {
        return ports.clone();
    }

    /** Runs one redis-cli command against the node on {@code port} ({@code -c}: following redirects); its output lines. */
    public static List<String> cli(int port, String... command) {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-c", "-p", Integer.toString(port)));
        line.addAll(List.of(command));
        return run(line);
    }

    @Override
    public void close() {
        for (Process node : nodes) {
            node.destroy();
        }
        for (Process node : nodes) {
            try {
                if (!node.waitFor(10, TimeUnit.SECONDS)) {
                    node.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Path directory : directories) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }

    private void startNode(int port) throws IOException {
        Path directory = Files.createTempDirectory("redis-cluster-" + port);
        directories.add(directory);
        nodes.add(new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-config-file", directory.resolve("nodes.conf").toString(),
                "--dir", directory.toString(), "--save", "", "--appendonly", "no"))
                .redirectErrorStream(true).redirectOutput(directory.resolve("redis.log").toFile()).start());
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!cli(port, "ping").contains("PONG")) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Redis node on " + port + " did not start:\n"
                        + Files.readString(directory.resolve("redis.log")));
            }
            ServiceProcess.sleep(50);
        }
    }

    private void awaitState() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Arrays.stream(ports).anyMatch(port -> !cli(port, "cluster", "info").contains("cluster_state:ok"))) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Redis Cluster did not reach cluster_state:ok: " + cli(ports[0], "cluster", "info"));
            }
            ServiceProcess.sleep(100);
        }
    }

    /** A node an earlier, killed run left on one of our ports would join nothing; it is shut down. */
    private static void shutDownLeftover(int port) {
        if (cli(port, "ping").contains("PONG")) {
            cli(port, "shutdown", "nosave");
        }
    }

    private static List<String> run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            return new String(process.getInputStream().readAllBytes()).lines().map(String::strip).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
