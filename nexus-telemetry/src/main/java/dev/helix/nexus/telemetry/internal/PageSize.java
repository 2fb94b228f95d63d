package dev.helix.nexus.telemetry.internal;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The kernel's page size, which turns the page counts of {@code /proc/[pid]/stat} and {@code statm} into bytes (4 KiB
 * on x86-64, but 16 KiB or 64 KiB on many arm64, ppc64 and loongarch kernels; the JDK has no public API for it).
 *
 * <p>Found, in this order:
 * <ol>
 *   <li>{@code AT_PAGESZ} (type 6) of the ELF auxiliary vector the kernel handed this process,
 *       {@code /proc/self/auxv}: pairs of native-endian machine words (type, value), ended by {@code AT_NULL};</li>
 *   <li>else {@code /proc/self/status} {@code VmRSS} (KiB) divided by {@code /proc/self/statm}'s resident pages, both
 *       read back to back and taken only when the quotient is a power of two from 4 KiB to 1 MiB (RSS moving
 *       between the two reads would give a non-power-of-two, and the pair is retried a few times);</li>
 *   <li>else nothing: {@link #system()} then falls back to 4096 and {@link #source()} says so.</li>
 * </ol>
 * The parsers are pure functions over the bytes/text and are tested on synthetic and damaged input; the result is
 * computed once per JVM. Thread-safe (immutable holder).
 */
public final class PageSize {

    /** {@code AT_NULL}: end of the auxiliary vector. */
    static final long AT_NULL = 0;
    /** {@code AT_PAGESZ}: the system page size. */
    static final long AT_PAGESZ = 6;

    private static final long FALLBACK = 4096;

    private static final class Holder {
        static final String[] SOURCE = new String[1];
        static final long VALUE = detect(Path.of("/proc/self"), SOURCE);
    }

    private PageSize() {
    }

    /** This system's page size in bytes, detected once (4096 when it cannot be found; see {@link #source()}). */
    public static long system() {
        return Holder.VALUE;
    }

    /** How {@link #system()} was found: {@code "auxv"}, {@code "statm/status"} or {@code "assumed 4096"}. */
    public static String source() {
        return Holder.SOURCE[0];
    }

    /**
     * Detects the page size from a process directory such as {@code /proc/self}; {@code source[0]} receives how.
     * O(size of auxv) plus up to three statm/status reads.
     */
    static long detect(Path self, String[] source) {
        try {
            byte[] auxv = Files.readAllBytes(self.resolve("auxv"));
            OptionalLong v = fromAuxv(auxv, auxv.length, ByteOrder.nativeOrder(), wordBytes());
            if (v.isPresent()) {
                source[0] = "auxv";
                return v.getAsLong();
            }
        } catch (IOException | RuntimeException e) {
            // no auxv (not Linux, or procfs hidden): try the RSS ratio
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                String statm = Files.readString(self.resolve("statm"));
                String status = Files.readString(self.resolve("status"));
                OptionalLong v = fromStatmAndStatus(statm, status);
                if (v.isPresent()) {
                    source[0] = "statm/status";
                    return v.getAsLong();
                }
            } catch (IOException | RuntimeException e) {
                break;
            }
        }
        source[0] = "assumed " + FALLBACK;
        return FALLBACK;
    }

    /** Bytes per machine word of this JVM (8 on 64-bit, 4 on 32-bit), the auxv entry width. */
    static int wordBytes() {
        String model = System.getProperty("sun.arch.data.model", "64");
        return model.equals("32") ? 4 : 8;
    }

    /**
     * {@code AT_PAGESZ} from the bytes of an auxiliary vector: {@code len / (2 * wordBytes)} entries of (type,
     * value), read until {@code AT_NULL} or the end. Empty when there is no such entry, when its value is not a
     * power of two of at least 512, or when {@code len} is not a whole number of entries (a damaged or truncated
     * vector is not trusted). O(len), no allocation.
     *
     * @param wordBytes 4 or 8
     */
    public static OptionalLong fromAuxv(byte[] b, int len, ByteOrder order, int wordBytes) {
        if (wordBytes != 4 && wordBytes != 8) {
            throw new IllegalArgumentException("wordBytes must be 4 or 8: " + wordBytes);
        }
        if (len < 0 || len > b.length || len % (2 * wordBytes) != 0) {
            return OptionalLong.empty();
        }
        for (int i = 0; i + 2 * wordBytes <= len; i += 2 * wordBytes) {
            long type = word(b, i, order, wordBytes);
            if (type == AT_NULL) {
                break;
            }
            if (type == AT_PAGESZ) {
                long v = word(b, i + wordBytes, order, wordBytes);
                return v >= 512 && Long.bitCount(v) == 1 ? OptionalLong.of(v) : OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    private static long word(byte[] b, int at, ByteOrder order, int wordBytes) {
        long v = 0;
        for (int k = 0; k < wordBytes; k++) {
            int idx = order == ByteOrder.LITTLE_ENDIAN ? at + wordBytes - 1 - k : at + k;
            v = (v << 8) | (b[idx] & 0xFF);
        }
        return v;
    }

    /**
     * Page size as {@code VmRSS} (KiB, from {@code status}) times 1024 over the resident pages (second field of
     * {@code statm}); empty unless both parse, resident is positive and the quotient is exact and a power of two from
     * 4 KiB to 1 MiB. O(length of the texts).
     */
    public static OptionalLong fromStatmAndStatus(String statm, String status) {
        String[] f = Texts.fields(statm);
        if (f.length < 2) {
            return OptionalLong.empty();
        }
        long resident = Texts.parseLong(f[1]);
        if (resident <= 0) {
            return OptionalLong.empty();
        }
        long rssKb = -1;
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] g = Texts.fields(line.substring(6));
                if (g.length == 2 && g[1].equals("kB")) {
                    rssKb = Texts.parseLong(g[0]);
                }
                break;
            }
        }
        if (rssKb <= 0 || rssKb > Long.MAX_VALUE / 1024) {
            return OptionalLong.empty();
        }
        long bytes = rssKb * 1024;
        if (bytes % resident != 0) {
            return OptionalLong.empty();
        }
        long page = bytes / resident;
        return page >= 4096 && page <= (1 << 20) && Long.bitCount(page) == 1 ? OptionalLong.of(page)
                : OptionalLong.empty();
    }
}
