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

    /**
     * The index of each named column in a CSV header line (first occurrence).
     *
     * @throws dev.helix.nexus.detect.eval.MalformedDataException naming the file, line 1 and the header when a column
     *     is missing
     */
    public static int[] columns(Path file, String header, String... names) {
        String[] h = header.trim().split(",");
        int[] idx = new int[names.length];
        java.util.Arrays.fill(idx, -1);
        for (int i = 0; i < h.length; i++) {
            for (int k = 0; k < names.length; k++) {
                if (idx[k] < 0 && h[i].trim().equals(names[k])) {
                    idx[k] = i;
                }
            }
        }
        for (int k : idx) {
            if (k < 0) {
                throw new dev.helix.nexus.detect.eval.MalformedDataException(file, 1,
                        "header must contain " + String.join(" and ", names) + ", got: " + header);
            }
        }
        return idx;
    }
}
