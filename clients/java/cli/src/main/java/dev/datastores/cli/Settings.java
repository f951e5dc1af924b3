package dev.datastores.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Where the command finds the service, the token, the workspace and the store: a flag, else the environment
 * ({@code DATASTORES_URL}, {@code DATASTORES_TOKEN}, {@code DATASTORES_WORKSPACE}, {@code DATASTORES_STORE}), else
 * the config file ({@code --config}, else {@code $DATASTORES_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/datastores/config.properties}, else {@code ~/.config/datastores/config.properties}) with
 * the properties {@code url}, {@code token}, {@code workspace}, {@code store}.
 */
final class Settings {

    private final Properties file;
    private final Path fileName;
    private final Map<String, String> env;

    private Settings(Properties file, Path fileName, Map<String, String> env) {
        this.file = file;
        this.fileName = fileName;
        this.env = env;
    }

    /** Reads the config file: an explicitly named one must exist; the default one may be missing. */
    static Settings load(Path explicit, Map<String, String> env) throws IOException {
        Path path = explicit;
        boolean required = explicit != null;
        if (path == null && env.get("DATASTORES_CONFIG") != null && !env.get("DATASTORES_CONFIG").isEmpty()) {
            path = Path.of(env.get("DATASTORES_CONFIG"));
            required = true;
        }
        if (path == null) {
            String xdg = env.get("XDG_CONFIG_HOME");
            Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
            path = base.resolve("datastores").resolve("config.properties");
        }
        Properties properties = new Properties();
        if (Files.isRegularFile(path)) {
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        } else if (required) {
            throw new IOException("the config file " + path + " does not exist");
        }
        return new Settings(properties, path, env);
    }

    /** The flag's value, else the environment variable's, else the config file's property, else null. */
    String resolve(String flag, String variable, String property) {
        if (flag != null && !flag.isEmpty()) {
            return flag;
        }
        String fromEnv = env.get(variable);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        String fromFile = file.getProperty(property);
        return fromFile == null || fromFile.isBlank() ? null : fromFile.strip();
    }

    Path fileName() {
        return fileName;
    }
}
