package dev.helix.nexus.heal.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * An append-only file of records that survives a crash of the writing process: each record is
 * {@code [int length][int crc32(payload)][payload]}, written and forced to disk before {@link #append} returns. On
 * {@link #open} the file is scanned from the start and stops at the first record that is torn (shorter than its
 * header says) or whose CRC does not match; that tail is truncated, so a crash mid-append loses only the record
 * being written.
 *
 * <p>Thread-safe: appends are serialized.
 */
public final class RecordJournal implements AutoCloseable {

    /** Upper bound for one record (a corrupt length field must not make the loader allocate gigabytes). */
    public static final int MAX_RECORD = 64 << 20;

    private final Path file;
    private FileChannel channel;
    private final List<byte[]> loaded;
    private final long droppedBytes;

    private RecordJournal(Path file, FileChannel channel, List<byte[]> loaded, long droppedBytes) {
        this.file = file;
        this.channel = channel;
        this.loaded = loaded;
        this.droppedBytes = droppedBytes;
    }

    /** What a scan found: the good records in order, and how many trailing bytes were torn or corrupt. */
    public record Scan(List<byte[]> records, long validLength, long droppedBytes) { }

    /** Reads every good record of {@code file} (empty if the file does not exist); never modifies it. */
    public static Scan scan(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Scan(List.of(), 0, 0);
        }
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(all);
        List<byte[]> out = new ArrayList<>();
        long valid = 0;
        while (buf.remaining() >= 8) {
            int len = buf.getInt();
            int crc = buf.getInt();
            if (len < 0 || len > MAX_RECORD || len > buf.remaining()) {
                break;
            }
            byte[] payload = new byte[len];
            buf.get(payload);
            if ((int) crc(payload) != crc) {
                break;
            }
            out.add(payload);
            valid = buf.position();
        }
        return new Scan(List.copyOf(out), valid, all.length - valid);
    }

    /** Opens (creating the file and its directory if needed), loads the good records and truncates a torn tail. */
    public static RecordJournal open(Path file) throws IOException {
        Objects.requireNonNull(file);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Scan s = scan(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        if (ch.size() > s.validLength()) {
            ch.truncate(s.validLength());
            ch.force(true);
        }
        ch.position(s.validLength());
        return new RecordJournal(file, ch, s.records(), s.droppedBytes());
    }

    public static long crc(byte[] payload) {
        CRC32 c = new CRC32();
        c.update(payload);
        return c.getValue();
    }

    /** The records that were in the file when it was opened. */
    public List<byte[]> loaded() {
        return loaded;
    }

    /** Bytes of a torn or corrupt tail discarded on open. */
    public long droppedBytes() {
        return droppedBytes;
    }

    public Path file() {
        return file;
    }

    /** Appends one record and forces it to disk. */
    public synchronized void append(byte[] payload) throws IOException {
        if (payload.length > MAX_RECORD) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes exceeds " + MAX_RECORD);
        }
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putInt(payload.length).putInt((int) crc(payload)).put(payload).flip();
        while (b.hasRemaining()) {
            channel.write(b);
        }
        channel.force(false);
    }

    /** Atomically replaces the whole journal by {@code records} (compaction): temp file, fsync, rename. */
    public synchronized void rewrite(List<byte[]> records) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel t = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (byte[] p : records) {
                ByteBuffer b = ByteBuffer.allocate(8 + p.length);
                b.putInt(p.length).putInt((int) crc(p)).put(p).flip();
                while (b.hasRemaining()) {
                    t.write(b);
                }
            }
            t.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        channel.position(channel.size());
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
