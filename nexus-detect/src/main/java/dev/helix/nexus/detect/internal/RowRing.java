package dev.helix.nexus.detect.internal;

import java.util.Arrays;

/**
 * A fixed-capacity ring of the most recent rows of {@code dims} doubles, stored row-major in one flat array: once
 * full, each added row overwrites the oldest. The slot of a new row is {@code (head + size) mod capacity} while
 * filling and {@code head} afterwards, so the stored rows always occupy physical rows {@code [0, size)} of
 * {@link #flat()} — a consumer that does not care about age order (a forest fit on the whole memory) can take the
 * array as it is; {@link #offset(int)} gives age order (0 = oldest).
 *
 * <p>{@link #add} is O(dims) and allocation-free; memory O(capacity·dims) doubles, allocated once. Not thread-safe.
 */
public final class RowRing {

    private final int capacity;
    private final int dims;
    private final double[] rows;
    private int head;
    private int size;

    /**
     * @param capacity rows kept, at least 1
     * @param dims     values per row, at least 1
     */
    public RowRing(int capacity, int dims) {
        if (capacity < 1 || dims < 1) {
            throw new IllegalArgumentException("capacity and dims must be at least 1, got " + capacity + " and " + dims);
        }
        this.capacity = capacity;
        this.dims = dims;
        this.rows = new double[Math.multiplyExact(capacity, dims)];
    }

    /** Copies {@code row[0, dims)} in as the newest row, overwriting the oldest when full. */
    public void add(double[] row) {
        int slot;
        if (size < capacity) {
            slot = (head + size) % capacity;
            size++;
        } else {
            slot = head;
            head = (head + 1) % capacity;
        }
        System.arraycopy(row, 0, rows, slot * dims, dims);
    }

    /** Rows stored (≤ capacity). */
    public int size() {
        return size;
    }

    /** Offset in {@link #flat()} of the {@code r}-th oldest stored row, {@code 0 ≤ r < size()} (not checked). */
    public int offset(int r) {
        return ((head + r) % capacity) * dims;
    }

    /** The backing array (not a copy): stored rows occupy physical rows {@code [0, size())}, in slot order. */
    public double[] flat() {
        return rows;
    }

    /** Forgets every row and zeroes the storage. */
    public void clear() {
        head = 0;
        size = 0;
        Arrays.fill(rows, 0.0);
    }
}
