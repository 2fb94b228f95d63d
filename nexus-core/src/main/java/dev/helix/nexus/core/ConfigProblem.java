package dev.helix.nexus.core;

/**
 * One thing wrong with a configuration.
 *
 * @param source  where it came from: a file name, {@code --set}, or {@code builder}
 * @param line    1-based line in the file, or 0 when unknown
 * @param key     the configuration key
 * @param value   the offending value as written, or empty
 * @param message what is allowed instead
 */
public record ConfigProblem(String source, int line, String key, String value, String message) {

    public ConfigProblem {
        source = source == null ? "" : source;
        value = value == null ? "" : value;
    }

    /** e.g. {@code nexus.yaml:3: tickDuration = '-5s': must be a positive duration such as 250ms, 1s or 2m}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (!source.isEmpty()) {
            sb.append(source);
            if (line > 0) {
                sb.append(':').append(line);
            }
            sb.append(": ");
        }
        sb.append(key);
        if (!value.isEmpty()) {
            sb.append(" = '").append(value).append('\'');
        }
        return sb.append(": ").append(message).toString();
    }
}
