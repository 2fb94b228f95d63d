package dev.helix.nexus.telemetry;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the lines of a recording or imported data file, plain or gzip (recognised by its magic bytes), so that
 * every problem names the file and the 1-based line: each line is decoded as strict UTF-8 on its own (a line that
 * is not UTF-8 is reported with the offending byte and its column), and a corrupt or truncated gzip stream becomes
 * a {@link RecordingFormatException} at the line being read, not a bare {@link EOFException}/{@link ZipException}.
 *
 * <p>Line terminators are those of {@link java.io.BufferedReader#readLine()}: {@code \n}, {@code \r} or
 * {@code \r\n}. O(bytes) time; memory O(longest line). Not thread-safe.
 */
final class RecordingLines implements Closeable {

    private final String file;
    private final InputStream in;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int lineNo;
    private boolean pendingLf; // the previous line ended with '\r': swallow one '\n'
    private String notUtf8;

    private RecordingLines(String file, InputStream in) {
        this.file = file;
        this.in = in;
    }

    /**
     * Opens {@code file}, through gzip when it starts with the gzip magic bytes.
     *
     * @throws RecordingFormatException naming the file when it cannot be opened or its gzip header is corrupt
     */
    static RecordingLines open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new RecordingLines(file.toString(), in);
        } catch (IOException e) {
            raw.close();
            throw new RecordingFormatException(file.toString(), 0, "cannot read: " + e.getMessage());
        }
    }

    /**
     * The next line without its terminator, or null at the end. When the line is not valid UTF-8 it is returned
     * decoded with replacement characters and {@link #notUtf8()} says why; callers reject or skip it.
     *
     * @throws RecordingFormatException when the gzip stream is corrupt or ends early, naming the line being read
     */
    String next() throws IOException {
        notUtf8 = null;
        int n = 0;
        boolean any = false;
        while (true) {
            if (pos == limit && !fill()) {
                if (!any) {
                    return null;
                }
                break;
            }
            int b = buf[pos++] & 0xff;
            if (pendingLf) {
                pendingLf = false;
                if (b == '\n') {
                    continue;
                }
            }
            any = true;
            if (b == '\n') {
                break;
            }
            if (b == '\r') {
                pendingLf = true;
                break;
            }
            if (n == line.length) {
                line = Arrays.copyOf(line, n * 2);
            }
            line[n++] = (byte) b;
        }
        lineNo++;
        return decode(n);
    }

    /** Refills the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        int r;
        try {
            do {
                r = in.read(buf, 0, buf.length);
            } while (r == 0);
        } catch (ZipException | EOFException e) {
            throw new RecordingFormatException(file, lineNo + 1, "corrupt or truncated gzip stream: " + e.getMessage());
        }
        if (r < 0) {
            return false;
        }
        pos = 0;
        limit = r;
        return true;
    }

    private String decode(int n) {
        try {
            CharBuffer c = utf8.reset().decode(ByteBuffer.wrap(line, 0, n));
            return c.toString();
        } catch (CharacterCodingException e) {
            notUtf8 = "not UTF-8: byte 0x" + String.format("%02x", firstBadByte(n) & 0xff) + " at column "
                    + (firstBadOffset(n) + 1);
            return new String(line, 0, n, StandardCharsets.UTF_8);
        }
    }

    /** Offset of the first byte the strict decoder rejects (by decoding growing prefixes; only on the error path). */
    private int firstBadOffset(int n) {
        ByteBuffer bb = ByteBuffer.wrap(line, 0, n);
        CharBuffer out = CharBuffer.allocate(n + 1);
        utf8.reset();
        var result = utf8.decode(bb, out, true);
        return result.isError() ? bb.position() : n;
    }

    private byte firstBadByte(int n) {
        int off = firstBadOffset(n);
        return off < n ? line[off] : 0;
    }

    /** Why the line last returned by {@link #next()} is not UTF-8, or null when it is. */
    String notUtf8() {
        return notUtf8;
    }

    /** 1-based number of the line last returned by {@link #next()} (0 before the first). */
    int lineNumber() {
        return lineNo;
    }

    /** The file's name, as given to {@link #open}. */
    String file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
