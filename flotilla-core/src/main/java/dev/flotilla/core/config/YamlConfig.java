package dev.flotilla.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.util.stream.Collectors;

/**
 * Reads YAML configuration files into records, strictly: keys are kebab-case, unknown keys are errors,
 * durations and sizes are parsed, and every error names the file, the line and the key path, e.g.
 * {@code routes.yaml:7: routes[1].timeout: '5x' is not a duration (expected e.g. 250ms, 5s, 2m, 1h)}.
 * Validation that needs more than one field belongs in the records' constructors; their
 * {@link IllegalArgumentException}s are reported the same way.
 */
public final class YamlConfig {

    private static final ObjectMapper MAPPER = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .addModule(new SimpleModule("flotilla-config")
                    .addDeserializer(Duration.class, textual(Durations::parse))
                    .addDeserializer(ByteSize.class, textual(ByteSize::parse)))
            .build();

    private YamlConfig() {
    }

    /** Reads {@code file}; the error names the file. */
    public static <T> T read(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        return read(file.toString(), text, type);
    }

    /** Reads {@code yaml}, naming it {@code source} in errors. An empty document is an error. */
    public static <T> T read(String source, String yaml, Class<T> type) {
        if (yaml.isBlank()) {
            throw new ConfigException(source + ": the file is empty");
        }
        try {
            T value = MAPPER.readValue(yaml, type);
            if (value == null) {
                throw new ConfigException(source + ": the file is empty");
            }
            return value;
        } catch (JsonMappingException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof MarkedYAMLException syntax) {
                    throw new ConfigException(source + ":" + (syntax.getProblemMark().getLine() + 1)
                            + ": not valid YAML: " + syntax.getProblem(), e);
                }
            }
            throw new ConfigException(describe(source, yaml, e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ":" + line(e.getLocation()) + ": not valid YAML: "
                    + e.getOriginalMessage(), e);
        }
    }

    private static String describe(String source, String yaml, JsonMappingException e) {
        String line = line(e.getLocation());
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining());
        path = path.startsWith(".") ? path.substring(1) : path;
        String problem;
        if (e instanceof UnrecognizedPropertyException unknown) {
            line = keyLine(yaml, unknown.getPropertyName(), e.getLocation());
            problem = "unknown key '" + unknown.getPropertyName() + "' (expected one of: "
                    + known(unknown.getKnownPropertyIds()) + ")";
            path = path.endsWith(unknown.getPropertyName())
                    ? path.substring(0, Math.max(0, path.length() - unknown.getPropertyName().length() - 1)) : path;
        } else if (e instanceof ValueInstantiationException && e.getCause() != null) {
            problem = e.getCause().getMessage();
        } else if (e.getCause() instanceof IllegalArgumentException cause) {
            problem = cause.getMessage();
        } else {
            problem = e.getOriginalMessage().replaceAll(" \\(class [^)]*\\)", "")
                    .replaceAll("`[a-z.]+\\.([A-Z][A-Za-z$]*)`", "$1");
        }
        return source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + problem;
    }

    private static String known(Collection<Object> ids) {
        return ids == null ? "" : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /**
     * The line of an unknown key. Records are bound through their constructor, so Jackson buffers unknown
     * keys and reports them where the enclosing mapping ends; the key itself is the nearest line above
     * that point which starts with it.
     */
    private static String keyLine(String yaml, String key, JsonLocation reported) {
        String[] lines = yaml.split("\n", -1);
        int from = reported == null ? lines.length : Math.min(lines.length, reported.getLineNr());
        Pattern keyLine = Pattern.compile("^\\s*(- +)?\"?" + Pattern.quote(key) + "\"?\\s*:.*");
        for (int i = from - 1; i >= 0; i--) {
            if (keyLine.matcher(lines[i]).matches()) {
                return String.valueOf(i + 1);
            }
        }
        return line(reported);
    }

    private static String line(JsonLocation location) {
        return location == null ? "?" : String.valueOf(location.getLineNr());
    }

    private static <T> JsonDeserializer<T> textual(Function<String, T> parse) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String text = p.getValueAsString();
                try {
                    return parse.apply(text);
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw JsonMappingException.from(p, e.getMessage(), e);
                }
            }
        };
    }
}
