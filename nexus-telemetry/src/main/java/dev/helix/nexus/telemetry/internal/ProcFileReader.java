package dev.helix.nexus.telemetry.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads small kernel files ({@code /proc}, {@code /sys/fs/cgroup}) into one reused {@code byte[]}, so that a sensor
 * reading hundreds of files per tick allocates no per-file buffer or {@link String}; callers parse the bytes in
 * place (see {@link Bytes}) or, where a parser still works on text, take {@link #text(int)} (one copy).
 *
 * <p>Kernel files report size 0, so the file is read to EOF in chunks through a {@link FileChannel} (plain
 * {@code read(2)}, the file position advancing), the buffer doubling up to {@code maxBytes}; content beyond that is
 * cut off and {@link #truncated()} says so. Cost per file: one open, one or a few reads, one close, and a handful of
 * small JDK objects for the channel itself. The kernel copies into one direct buffer kept with the reader, from which
 * the bytes are copied once into the {@code byte[]} (the copy the JDK would make from its own temporary buffer).
 *
 * <p>Not thread-safe: one reader per sensor, used from the tick thread.
 */
public final class ProcFileReader {

    private byte[] buf;
    private ByteBuffer direct; // what the kernel reads into; same capacity as buf, allocated on first use
    private final int maxBytes;
    private boolean truncated;
    private Map<Path, FileChannel> kept;
    private Set<Path> missing;
    private int maxKept;

    /**
     * @param initialBytes starting buffer size (grown on demand)
     * @param maxBytes     the largest content kept; longer files are cut off
     */
    public ProcFileReader(int initialBytes, int maxBytes) {
        if (initialBytes < 1 || maxBytes < initialBytes) {
            throw new IllegalArgumentException("need 1 <= initialBytes <= maxBytes, got " + initialBytes + ", " + maxBytes);
        }
        this.buf = new byte[initialBytes];
        this.maxBytes = maxBytes;
    }

    /** A 4 KiB buffer growing to 4 MiB. */
    public ProcFileReader() {
        this(4096, 4 << 20);
    }

    /**
     * Reads {@code file} into {@link #buffer()}.
     *
     * @return the number of bytes read, or -1 when the file does not exist (e.g. the process exited)
     * @throws IOException on any other failure (permission denied, a vanished directory, ...)
     */
    public int read(Path file) throws IOException {
        truncated = false;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int n = 0;
            while (true) {
                if (!roomAfter(n)) {
                    return n;
                }
                int r = ch.read(window(n));
                if (r < 0) {
                    return n;
                }
                copyIn(n, r);
                n += r;
            }
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * The direct buffer positioned at {@code n} with its limit at the end of {@link #buf}: the kernel copies into it
     * and {@link #copyIn} moves the bytes to {@code buf}. Reading into a heap buffer would make the JDK do the same
     * through a temporary direct buffer taken from (and returned to) a per-thread cache on every read; measured,
     * this saves ~0.05 us of ~1.2-3.5 us per read (SensingProfile's read-path operations).
     */
    private ByteBuffer window(int n) {
        if (direct == null || direct.capacity() != buf.length) {
            direct = ByteBuffer.allocateDirect(buf.length);
        }
        direct.limit(buf.length).position(n);
        return direct;
    }

    /** Copies the {@code r} bytes just read at offset {@code n} of the direct buffer into {@link #buf}. */
    private void copyIn(int n, int r) {
        if (r > 0) {
            direct.get(n, buf, n, r);
        }
    }

    /**
     * Makes room for more content after the first {@code n} bytes: doubles a full buffer up to {@code maxBytes}.
     *
     * @return false (and {@link #truncated()} true) when the buffer is full at {@code maxBytes}
     */
    private boolean roomAfter(int n) {
        if (n < buf.length) {
            return true;
        }
        if (buf.length >= maxBytes) {
            truncated = true;
            return false;
        }
        byte[] bigger = new byte[(int) Math.min(maxBytes, 2L * buf.length)];
        System.arraycopy(buf, 0, bigger, 0, n);
        buf = bigger;
        return true;
    }

    /**
     * Re-reads a file kept open, from offset 0 with positional reads ({@code pread(2)}), into {@link #buffer()}.
     * For the seq_file-backed {@code /proc} files this is used on ({@code /proc/[pid]/stat}, {@code io},
     * {@code task/[tid]/stat}) every such read regenerates the content, so a kept-open file gives fresh values at
     * the cost of one system call instead of three (open, read, close); a read that does not fill the buffer is
     * taken as the whole file (seq_file returns everything that fits), so one call suffices.
     *
     * @return the number of bytes read
     * @throws IOException e.g. ESRCH ("No such process") once the process behind a {@code /proc/[pid]} file is gone
     */
    public int pread(FileChannel channel) throws IOException {
        truncated = false;
        int n = 0;
        while (true) {
            if (!roomAfter(n)) {
                return n;
            }
            int r = channel.read(window(n), n);
            if (r <= 0) {
                return n;
            }
            copyIn(n, r);
            n += r;
            if (n < buf.length) {
                return n; // short read: the whole seq_file content
            }
        }
    }

    /**
     * Keeps up to {@code maxFiles} files open between {@link #readKept} calls (capped by {@link FdBudget}). Only for
     * kernel pseudo-files (procfs,
     * cgroupfs, sysfs: see {@link #isKernelFileSystem}), whose content is regenerated on every read from offset 0
     * and which are never replaced under the same name; a regular file replaced by a new one would be read stale.
     */
    public void keepOpen(int maxFiles) {
        keepOpen(maxFiles, false);
    }

    /**
     * As {@link #keepOpen(int)}; with {@code rememberMissing}, a file found absent is also remembered as absent
     * (no further open attempt, no exception) until {@link #closeKept()}, for files that are legitimately missing
     * (a cgroup controller not enabled in a group) and re-checked when the caller re-lists.
     */
    public void keepOpen(int maxFiles, boolean rememberMissing) {
        if (maxFiles < 0) {
            throw new IllegalArgumentException("maxFiles must not be negative: " + maxFiles);
        }
        this.maxKept = FdBudget.capped(maxFiles); // never hold more than a share of the process's descriptor limit
        if (kept == null) {
            kept = new HashMap<>();
        }
        this.missing = rememberMissing ? new HashSet<>() : null;
    }

    /**
     * Reads {@code file} through a channel kept open from a previous call (one {@link #pread}), opening and keeping
     * it when there is room in the {@link #keepOpen} budget, else as {@link #read}. A kept channel that fails (the
     * process or cgroup behind it is gone) is closed and the file opened afresh once. O(1) map lookup plus the read.
     *
     * @return the number of bytes read, or -1 when the file does not exist
     */
    public int readKept(Path file) throws IOException {
        if (kept == null || maxKept == 0) {
            return read(file);
        }
        FileChannel ch = kept.get(file);
        if (ch != null) {
            try {
                return pread(ch);
            } catch (IOException e) {
                kept.remove(file);
                closeQuietly(ch);
            }
        }
        if (missing != null && missing.contains(file)) {
            return -1;
        }
        if (kept.size() >= maxKept) {
            int n = read(file);
            if (n < 0 && missing != null && missing.size() < maxKept) {
                missing.add(file);
            }
            return n;
        }
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            if (missing != null && missing.size() < maxKept) {
                missing.add(file);
            }
            return -1;
        }
        try {
            int n = pread(ch);
            kept.put(file, ch);
            return n;
        } catch (IOException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Number of files kept open now. */
    public int keptOpen() {
        return kept == null ? 0 : kept.size();
    }

    /** Closes every kept file (they are reopened on demand) and forgets the files remembered as missing. */
    public void closeKept() {
        if (missing != null) {
            missing.clear();
        }
        if (kept != null) {
            for (FileChannel ch : kept.values()) {
                closeQuietly(ch);
            }
            kept.clear();
        }
    }

    /**
     * Closes the kept files for which {@code drop} holds and forgets the remembered-missing files for which
     * {@code forget} holds; every other kept file stays open (so a caller re-listing directories keeps the files of
     * directories still there instead of closing and reopening all of them). O(kept + missing) predicate calls.
     *
     * @return the number of kept files closed
     */
    public int closeKeptIf(java.util.function.Predicate<Path> drop, java.util.function.Predicate<Path> forget) {
        if (missing != null) {
            missing.removeIf(forget);
        }
        int closed = 0;
        if (kept != null) {
            for (var it = kept.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Path, FileChannel> e = it.next();
                if (drop.test(e.getKey())) {
                    closeQuietly(e.getValue());
                    it.remove();
                    closed++;
                }
            }
        }
        return closed;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing a kernel pseudo-file: nothing to recover
        }
    }

    /**
     * The names in directory {@code dir} (without "." and ".."), in directory order, as {@link java.io.File#list()}
     * gives them: one native {@code opendir}/{@code readdir} pass making one String per entry, where a
     * {@link java.nio.file.DirectoryStream} also makes a {@link Path} per entry (and duplicates the descriptor:
     * 4 more system calls per listing). Falls back to a DirectoryStream on another file system provider and when
     * {@code File.list} fails, so a failure surfaces as the IOException saying why. O(entries).
     *
     * @throws IOException when the directory cannot be listed (e.g. NoSuchFileException, AccessDeniedException)
     */
    public static String[] list(Path dir) throws IOException {
        if (dir.getFileSystem() == java.nio.file.FileSystems.getDefault()) {
            String[] names = dir.toFile().list();
            if (names != null) {
                return names;
            }
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        }
        return out.toArray(new String[0]);
    }

    /** Whether {@code path} lies on procfs, cgroupfs (v1 or v2) or sysfs; false when that cannot be told. */
    public static boolean isKernelFileSystem(Path path) {
        try {
            String type = Files.getFileStore(path).type();
            return type.equals("proc") || type.equals("cgroup") || type.equals("cgroup2") || type.equals("sysfs");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The buffer holding the last file read; valid up to the length {@link #read} returned, until the next read. */
    public byte[] buffer() {
        return buf;
    }

    /** Whether the last file read was longer than {@code maxBytes} and cut off. */
    public boolean truncated() {
        return truncated;
    }

    /** The first {@code length} bytes of the buffer as ISO-8859-1 text (never fails on bad bytes). */
    public String text(int length) {
        return new String(buf, 0, length, StandardCharsets.ISO_8859_1);
    }
}
