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

    /** Receives one data row of a CSV file read by {@link #forEachRow}. */
    @FunctionalInterface
    public interface RowHandler {
        /**
         * @param cells the row split at commas (empty cells kept)
         * @param cols  the index of each named column, in the order named
         * @param line  the 1-based line number, for error messages
         */
        void row(String[] cells, int[] cols, long line) throws IOException;
    }

    /**
     * Reads a CSV file (gzipped when its name ends in {@code .gz}) whose header names at least the given columns:
     * skips blank lines, splits every other line at commas, checks that it reaches every named column, and hands it
     * to {@code handler} in file order. Errors name the file and line: an empty file, a header without a named
     * column, a row with too few cells. O(file size); one pass.
     */
    public static void forEachRow(Path file, RowHandler handler, String... names) throws IOException {
        try (BufferedReader r = open(file)) {
            String header = r.readLine();
            if (header == null) {
                throw new MalformedDataException(file, 1, "empty file, expected a header with "
                        + String.join(",", names));
            }
            int[] cols = columns(file, header, names);
            int need = 0;
            for (int c : cols) {
                need = Math.max(need, c + 1);
            }
            String line;
            long ln = 1;
            while ((line = r.readLine()) != null) {
                ln++;
                if (line.isBlank()) {
                    continue;
                }
                String[] c = line.split(",", -1);
                if (c.length < need) {
                    throw new MalformedDataException(file, ln, "expected at least " + need + " columns, got " + c.length);
                }
                handler.row(c, cols, ln);
            }
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
