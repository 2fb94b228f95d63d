package dev.helix.nexus.detect.internal;

import dev.helix.nexus.detect.eval.MalformedDataException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** CSV helpers with errors that name the file and 1-based line. Thread-safe (stateless). */
public final class CsvSupport {
    private CsvSupport() {
    }

    /** Opens a text file, transparently gunzipping names ending in {@code .gz}. */
    public static BufferedReader open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        if (p.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    public static double parseDouble(String s, Path file, long line, String what) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new MalformedDataException(file, line, "cannot parse " + what + " '" + s + "' as a number");
        }
    }
}
