package dev.helix.nexus.ml.io;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.layers.Sequential;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Versioned, checksummed binary model format (NXML). Layout, all big-endian:
 * <pre>
 *   bytes  "NXML"                        magic
 *   int    version (= 1)
 *   int    tensor count
 *   repeat: modified-UTF-8 name (DataOutput.writeUTF), int rank, int[rank] dims, float[size] values
 *   int    CRC32 of every preceding byte
 * </pre>
 * Loading validates magic, version, checksum, and (for {@link #loadInto}) names and shapes, and
 * throws {@link ModelFormatException} with a specific message on any failure. O(total size).
 * Stateless, thread-safe (the model being saved must not be mutated concurrently).
 */
public final class ModelSerializer {
    /** File magic. */
    public static final byte[] MAGIC = {'N', 'X', 'M', 'L'};
    /** Current (and only supported) format version. */
    public static final int VERSION = 1;

    private ModelSerializer() {
    }

    /** Serialises named tensors to bytes. */
    public static byte[] toBytes(Map<String, Tensor> tensors) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(tensors.size());
            for (var e : tensors.entrySet()) {
                out.writeUTF(e.getKey());
                int[] s = e.getValue().shape();
                out.writeInt(s.length);
                for (int d : s) {
                    out.writeInt(d);
                }
                for (float f : e.getValue().data()) {
                    out.writeFloat(f);
                }
            }
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bos.toByteArray());
            out.writeInt((int) crc.getValue());
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
    }

    /** Parses bytes written by {@link #toBytes}. */
    public static Map<String, Tensor> fromBytes(byte[] bytes) throws ModelFormatException {
        if (bytes.length < 16) {
            throw new ModelFormatException("model file too short (" + bytes.length + " bytes)");
        }
        if (!Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC)) {
            throw new ModelFormatException("not an NXML model file (bad magic)");
        }
        int version = ((bytes[4] & 0xff) << 24) | ((bytes[5] & 0xff) << 16) | ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
        if (version != VERSION) {
            throw new ModelFormatException("unsupported model format version " + version + " (supported: " + VERSION + ")");
        }
        int n = bytes.length - 4;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, n);
        int stored = ((bytes[n] & 0xff) << 24) | ((bytes[n + 1] & 0xff) << 16) | ((bytes[n + 2] & 0xff) << 8) | (bytes[n + 3] & 0xff);
        if (stored != (int) crc.getValue()) {
            throw new ModelFormatException(String.format("checksum mismatch: stored CRC32 %08x, computed %08x (file corrupt)",
                    stored, (int) crc.getValue()));
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 8, n - 8));
            int count = in.readInt();
            if (count < 0) {
                throw new ModelFormatException("negative tensor count " + count);
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 16) {
                    throw new ModelFormatException("tensor '" + name + "' has invalid rank " + rank);
                }
                int[] shape = new int[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readInt();
                    if (shape[d] < 0) {
                        throw new ModelFormatException("tensor '" + name + "' has negative dimension");
                    }
                    size *= shape[d];
                }
                if (size * 4 > n) {
                    throw new ModelFormatException("tensor '" + name + "' larger than the file");
                }
                float[] data = new float[(int) size];
                for (int j = 0; j < data.length; j++) {
                    data[j] = in.readFloat();
                }
                out.put(name, Tensor.fromData(data, shape));
            }
            if (in.available() != 0) {
                throw new ModelFormatException(in.available() + " trailing bytes after last tensor");
            }
            return out;
        } catch (EOFException e) {
            throw new ModelFormatException("model file truncated");
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException("unreadable model file: " + e.getMessage());
        }
    }

    /** Writes a model's state (parameters and buffers) to a file. */
    public static void save(Sequential model, Path file) throws IOException {
        Files.write(file, toBytes(model.stateDict()));
    }

    /** Reads named tensors from a file. */
    public static Map<String, Tensor> load(Path file) throws IOException {
        return fromBytes(Files.readAllBytes(file));
    }

    /** Copies tensors from a file into a model whose state names and shapes must match exactly. */
    public static void loadInto(Sequential model, Path file) throws IOException {
        loadInto(model, load(file));
    }

    /** Copies named tensors into a model whose state names and shapes must match exactly. */
    public static void loadInto(Sequential model, Map<String, Tensor> state) throws ModelFormatException {
        Map<String, Tensor> target = model.stateDict();
        if (!target.keySet().equals(state.keySet())) {
            throw new ModelFormatException("model state names " + target.keySet() + " do not match file " + state.keySet());
        }
        for (var e : target.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (!src.sameShape(e.getValue())) {
                throw new ModelFormatException("tensor '" + e.getKey() + "': file shape " + Arrays.toString(src.shape())
                        + " vs model shape " + Arrays.toString(e.getValue().shape()));
            }
        }
        for (var e : target.entrySet()) {
            float[] src = state.get(e.getKey()).data();
            System.arraycopy(src, 0, e.getValue().data(), 0, src.length);
        }
    }
}
