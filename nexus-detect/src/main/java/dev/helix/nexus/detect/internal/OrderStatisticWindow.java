package dev.helix.nexus.detect.internal;

/**
 * A sliding window of the last {@code capacity} non-NaN doubles with exact order statistics in O(log w) per
 * operation: a counted B+-tree over the window's values plus a ring buffer of arrival order.
 *
 * <p><b>Order and ties.</b> Values are ordered as by {@link Double#compare} (so -0.0 sorts before +0.0, ±∞ at the
 * ends), which is the order of the signed 64-bit key {@code bits ^ ((bits >> 63) >>> 1)}. Every element also
 * carries a unique arrival stamp, and the tree orders the pairs (key, stamp): equal values are told apart by age, so
 * the element evicted from the ring is found exactly, without any search among duplicates. The multiset of values,
 * and so every order statistic, is the same as in a plain sorted array of the window ({@link SortedWindow}).
 *
 * <p><b>Structure.</b> Leaves hold up to {@value #LEAF} keys in sorted order; internal nodes hold up to
 * {@value #FAN} children, each with the number of elements below it and a separator (a lower bound of the child's
 * keys, strictly above every key of the child before it). Every node but the root holds at least half its
 * capacity minus one. Insertion splits full nodes on the way down and deletion refills minimal nodes on the way
 * down (a key or child borrowed from a sibling, or a merge with it), so each operation is one root-to-leaf pass.
 * All nodes come from pools sized at construction ({@code capacity / 31 + 3} leaves, as many internal nodes) and
 * are recycled through free lists: no allocation after construction.
 *
 * <p><b>Complexity</b> (w = current size): {@link #add} O(log w) — one deletion and one insertion, each
 * O(height) node visits of O({@value #LEAF} + {@value #FAN}) work. Non-root leaves hold ≥ 31 keys and non-root
 * internal nodes ≥ 7 children, so there are at most 1 + log₇(w / 62) internal levels (measured on Gaussian
 * input: 0 at w = 64, 1 at 512, 2 at 4,096, 3 at 32,768, 4 at 262,144); {@link #get} and {@link #quantile}
 * O(log w) (one descent for both neighbours of a type-7 quantile); {@link #mad} exact in
 * O(log² w) worst case (a galloping search over two sorted views of the absolute deviations, each probe a
 * {@link #get});
 * {@link #sumAbsDeviation} O(w) (an in-order pass over the leaves).
 *
 * <p>Not thread-safe: one writer, no concurrent readers.
 */
public final class OrderStatisticWindow implements OrderStatistics {
    /** Leaf capacity (keys). */
    static final int LEAF = 64;
    /** Internal node capacity (children). */
    static final int FAN = 16;
    /** Fewest keys in a non-root leaf. */
    static final int LEAF_MIN = LEAF / 2 - 1;
    /** Fewest children of a non-root internal node. */
    static final int FAN_MIN = FAN / 2 - 1;

    // ring of arrival order: key and stamp of each held element
    private final long[] ringKey;
    private final long[] ringStamp;
    private int head;
    private int size;
    private long nextStamp;
    /** The split of the last {@link #mad} call (deviations taken from below the centre), its next first guess. */
    private int lastSplit;

    // leaves: (key, stamp) pairs interleaved, entry i of leaf L at [2(L·LEAF + i)], [2(L·LEAF + i) + 1]; the next
    // leaf in order (-1 at the end)
    private final long[] lv;
    private final int[] lCount;
    private final int[] lNext;
    private final int[] leafFree;
    private int leafFreeTop;

    // internal nodes: child id, element count below it, separator (key, stamp) at [node * FAN + j]
    private final int[] iChild;
    private final int[] iSize;
    private final long[] iKey;
    private final long[] iStamp;
    private final int[] iCount;
    private final int[] nodeFree;
    private int nodeFreeTop;

    private int root;
    /** 0: the root is a leaf; h: h levels of internal nodes above the leaves. */
    private int height;

    /**
     * @param capacity the window length, at least 1
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public OrderStatisticWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        ringKey = new long[capacity];
        ringStamp = new long[capacity];
        int leaves = capacity / LEAF_MIN + 3;
        lv = new long[2 * leaves * LEAF];
        lCount = new int[leaves];
        lNext = new int[leaves];
        leafFree = new int[leaves];
        int nodes = leaves;
        iChild = new int[nodes * FAN];
        iSize = new int[nodes * FAN];
        iKey = new long[nodes * FAN];
        iStamp = new long[nodes * FAN];
        iCount = new int[nodes];
        nodeFree = new int[nodes];
        clear();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int capacity() {
        return ringKey.length;
    }

    public boolean isFull() {
        return size == ringKey.length;
    }

    /** Empties the window (O(capacity / 31) to rebuild the free lists). */
    @Override
    public void clear() {
        head = 0;
        size = 0;
        nextStamp = 0;
        lastSplit = 0;
        leafFreeTop = 0;
        for (int i = lCount.length - 1; i >= 0; i--) {
            leafFree[leafFreeTop++] = i;
        }
        nodeFreeTop = 0;
        for (int i = iCount.length - 1; i >= 0; i--) {
            nodeFree[nodeFreeTop++] = i;
        }
        root = allocLeaf();
        lNext[root] = -1;
        height = 0;
    }

    /**
     * Adds {@code x}, evicting the oldest value when full.
     *
     * @throws IllegalArgumentException if {@code x} is NaN (it has no place in the order)
     */
    @Override
    public void add(double x) {
        if (x != x) {
            throw new IllegalArgumentException("OrderStatisticWindow.add: NaN has no order; filter it before adding");
        }
        long k = key(x);
        int cap = ringKey.length;
        if (size == cap) {
            int slot = head;
            head = head + 1 == cap ? 0 : head + 1;
            if (ringKey[slot] == k) {
                return; // the same value replaces itself: the tree's element (k, old stamp) stands for the new one
            }
            delete(ringKey[slot], ringStamp[slot]);
            size--;
            long t = nextStamp++;
            ringKey[slot] = k;
            ringStamp[slot] = t;
            insert(k, t);
        } else {
            int slot = head + size;
            if (slot >= cap) {
                slot -= cap;
            }
            long t = nextStamp++;
            ringKey[slot] = k;
            ringStamp[slot] = t;
            insert(k, t);
        }
        size++;
    }

    /** The k-th smallest value, 0-based, in O(log w). */
    @Override
    public double get(int k) {
        if (k < 0 || k >= size) {
            throw new IndexOutOfBoundsException("k=" + k + " size=" + size);
        }
        return value(select(k));
    }

    /**
     * Quantile with linear interpolation between order statistics (Hyndman &amp; Fan type 7, the default of R and
     * NumPy): h = (n-1)q, Q = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]); NaN when empty. The same
     * arithmetic as {@link SortedWindow#quantile(double)}, so the same bits.
     */
    @Override
    public double quantile(double q) {
        if (size == 0) {
            return Double.NaN;
        }
        double h = (size - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, size - 1);
        if (hi == lo) {
            double a = value(select(lo));
            return a + (h - lo) * (a - a);
        }
        return quantilePair(lo, h - lo);
    }

    @Override
    public double median() {
        return quantile(0.5);
    }

    /**
     * Median absolute deviation from {@code center} (unscaled), exact, in O(log² w) without allocation. The values
     * below {@code center} (in {@link Double#compare} order) give deviations {@code center - v} that grow as v
     * falls, those at or above it give {@code v - center} that grow with v (rounding is monotone), so the
     * deviations form two sorted views of the tree; their k-th smallest union element is found by searching how
     * many come from each view: galloping from the previous call's answer, then bisecting, so O(log d) probes of
     * O(log w) each, d the distance from the previous split (a few in a sliding window), O(log w) probes at worst. Returns the same value as {@link SortedWindow#mad(double)}: the mean of the
     * deviations of rank ⌊(n-1)/2⌋ and ⌊n/2⌋.
     */
    @Override
    public double mad(double center) {
        if (size == 0) {
            return Double.NaN;
        }
        int s = rankBelow(key(center)); // view A: center - get(s-1-i), i < s; view B: get(s+j) - center, j < n-s
        int na = s;
        int nb = size - s;
        int k = (size - 1) / 2; // 0-based rank of the lower middle deviation
        // the k+1 smallest deviations take i from A and j = k+1-i from B; the smallest i in [lo0, hi0] that is not
        // "too small" (B[j-1] > A[i]) is a valid split. tooSmall is monotone in i and true at no i >= hi0.
        int lo0 = Math.max(0, k + 1 - nb);
        int hi0 = Math.min(na, k + 1);
        // gallop from the previous call's split (it moves by a few per sample in a sliding window), then bisect:
        // O(log distance) probes, at most O(log w)
        int g = Math.min(Math.max(lastSplit, lo0), hi0);
        int lo;
        int hi;
        if (tooSmall(g, k, na, nb, s, center)) {
            lo = g + 1;
            hi = hi0;
            for (int step = 1; ; step <<= 1) {
                int p = g + step;
                if (p >= hi0) {
                    break;
                }
                if (!tooSmall(p, k, na, nb, s, center)) {
                    hi = p;
                    break;
                }
                lo = p + 1;
            }
        } else {
            lo = lo0;
            hi = g;
            for (int step = 1; ; step <<= 1) {
                int p = g - step;
                if (p < lo0) {
                    break;
                }
                if (tooSmall(p, k, na, nb, s, center)) {
                    lo = p + 1;
                    break;
                }
                hi = p;
            }
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (tooSmall(mid, k, na, nb, s, center)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int i = lo;
        int j = k + 1 - i;
        lastSplit = i;
        double lower = Math.max(i > 0 ? devA(i - 1, s, center) : Double.NEGATIVE_INFINITY,
                j > 0 ? devB(j - 1, s, center) : Double.NEGATIVE_INFINITY);
        double upper = lower;
        if ((size & 1) == 0) { // the next deviation: the smaller of the two views' next elements
            upper = Math.min(i < na ? devA(i, s, center) : Double.POSITIVE_INFINITY,
                    j < nb ? devB(j, s, center) : Double.POSITIVE_INFINITY);
        }
        return 0.5 * (lower + upper);
    }

    /** Whether taking i deviations from view A (and k+1-i from B) takes too few from A: B[j-1] > A[i]. */
    private boolean tooSmall(int i, int k, int na, int nb, int s, double center) {
        int j = k + 1 - i;
        return i < na && j > 0 && devB(j - 1, s, center) > devA(i, s, center);
    }

    private double devA(int i, int s, double center) {
        return center - value(select(s - 1 - i));
    }

    private double devB(int j, int s, double center) {
        return value(select(s + j)) - center;
    }

    /**
     * Σ |v - center| over the window in ascending order of v (the order a loop over {@link SortedWindow#get}
     * adds them, so the same rounding), O(w).
     */
    @Override
    public double sumAbsDeviation(double center) {
        int leaf = root;
        for (int level = height; level > 0; level--) {
            leaf = iChild[leaf * FAN];
        }
        double s = 0;
        for (; leaf >= 0; leaf = lNext[leaf]) {
            int base = 2 * leaf * LEAF;
            for (int i = base, end = base + 2 * lCount[leaf]; i < end; i += 2) {
                s += Math.abs(value(lv[i]) - center);
            }
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------- keys

    /** Signed key in {@link Double#compare} order (an involution on the bits; non-NaN values). */
    static long key(double x) {
        long b = Double.doubleToRawLongBits(x);
        return b ^ ((b >> 63) >>> 1);
    }

    static double value(long key) {
        return Double.longBitsToDouble(key ^ ((key >> 63) >>> 1));
    }

    private static boolean less(long k1, long t1, long k2, long t2) {
        return k1 < k2 || (k1 == k2 && t1 < t2);
    }

    /** The child of internal {@code node} whose key range holds (k, t): the last one whose separator is <= it. */
    private int childIndex(int node, long k, long t) {
        int base = node * FAN;
        int n = iCount[node];
        int j = 1;
        while (j < n && !less(k, t, iKey[base + j], iStamp[base + j])) {
            j++;
        }
        return j - 1;
    }

    /**
     * The child of internal {@code node} for inserting key {@code k} with the newest stamp: the last one whose
     * separator key is <= k (every separator's stamp is older, so (k, newest) is above any separator with key k).
     */
    private int childIndexNewest(int node, long k) {
        int base = node * FAN;
        int n = iCount[node];
        int j = 1;
        while (j < n && iKey[base + j] <= k) {
            j++;
        }
        return j - 1;
    }

    /** The first position in {@code leaf} whose key is >= k (branch-free binary search). */
    private int lowerBound(int leaf, long k) {
        int n = lCount[leaf];
        if (n == 0) {
            return 0;
        }
        long[] a = lv;
        int b = 2 * leaf * LEAF;
        int len = n;
        while (len > 1) {
            int half = len >>> 1;
            b = a[b + 2 * (half - 1)] < k ? b + 2 * half : b;
            len -= half;
        }
        return ((b - 2 * leaf * LEAF) >>> 1) + (a[b] < k ? 1 : 0);
    }

    /** The first position in {@code leaf} whose key is > k (branch-free binary search). */
    private int upperBound(int leaf, long k) {
        int n = lCount[leaf];
        if (n == 0) {
            return 0;
        }
        long[] a = lv;
        int b = 2 * leaf * LEAF;
        int len = n;
        while (len > 1) {
            int half = len >>> 1;
            b = a[b + 2 * (half - 1)] <= k ? b + 2 * half : b;
            len -= half;
        }
        return ((b - 2 * leaf * LEAF) >>> 1) + (a[b] <= k ? 1 : 0);
    }

    /** The key of rank r (0-based). */
    private long select(int r) {
        int node = root;
        for (int level = height; level > 0; level--) {
            int base = node * FAN;
            int j = 0;
            int c;
            while (r >= (c = iSize[base + j])) {
                r -= c;
                j++;
            }
            node = iChild[base + j];
        }
        return lv[2 * (node * LEAF + r)];
    }

    /** Keys of rank r and r + 1 (r + 1 < size) from one descent: the next in the leaf or the next leaf's first. */
    private double quantilePair(int r, double frac) {
        int node = root;
        for (int level = height; level > 0; level--) {
            int base = node * FAN;
            int j = 0;
            int c;
            while (r >= (c = iSize[base + j])) {
                r -= c;
                j++;
            }
            node = iChild[base + j];
        }
        double a = value(lv[2 * (node * LEAF + r)]);
        double b = r + 1 < lCount[node] ? value(lv[2 * (node * LEAF + r + 1)]) : value(lv[2 * lNext[node] * LEAF]);
        return a + frac * (b - a);
    }

    /** The number of held values whose key is below {@code k}. */
    private int rankBelow(long k) {
        int node = root;
        int rank = 0;
        for (int level = height; level > 0; level--) {
            int base = node * FAN;
            int j = childIndex(node, k, Long.MIN_VALUE);
            for (int c = 0; c < j; c++) {
                rank += iSize[base + c];
            }
            node = iChild[base + j];
        }
        return rank + lowerBound(node, k);
    }

    // ------------------------------------------------------------------------------------------------- insertion

    /** Inserts (k, t); t is newer than every stamp in the tree, so (k, t) goes after every held key k. */
    private void insert(long k, long t) {
        if (height == 0 ? lCount[root] == LEAF : iCount[root] == FAN) {
            int r = allocNode();
            iChild[r * FAN] = root;
            iSize[r * FAN] = size;
            iCount[r] = 1;
            root = r;
            height++;
            splitChild(r, 0, height - 1);
        }
        int node = root;
        for (int level = height; level > 0; level--) {
            int i = childIndexNewest(node, k);
            int base = node * FAN;
            int c = iChild[base + i];
            if (level == 1 ? lCount[c] == LEAF : iCount[c] == FAN) {
                splitChild(node, i, level - 1);
                if (iKey[base + i + 1] <= k) {
                    i++;
                }
                c = iChild[base + i];
            }
            iSize[base + i]++;
            node = c;
        }
        int n = lCount[node];
        int pos = upperBound(node, k);
        int at = 2 * (node * LEAF + pos);
        System.arraycopy(lv, at, lv, at + 2, 2 * (n - pos));
        lv[at] = k;
        lv[at + 1] = t;
        lCount[node] = n + 1;
    }

    /** Splits the full child {@code i} of {@code p} (which has room) in two halves; {@code childLevel} 0 = leaf. */
    private void splitChild(int p, int i, int childLevel) {
        int pb = p * FAN;
        int c = iChild[pb + i];
        int r;
        long sepK;
        long sepT;
        int rightSize;
        if (childLevel == 0) {
            r = allocLeaf();
            int keep = LEAF / 2;
            int move = lCount[c] - keep;
            System.arraycopy(lv, 2 * (c * LEAF + keep), lv, 2 * r * LEAF, 2 * move);
            lCount[c] = keep;
            lCount[r] = move;
            lNext[r] = lNext[c];
            lNext[c] = r;
            sepK = lv[2 * r * LEAF];
            sepT = lv[2 * r * LEAF + 1];
            rightSize = move;
        } else {
            r = allocNode();
            int keep = FAN / 2;
            int move = iCount[c] - keep;
            int cb = c * FAN + keep;
            int rb = r * FAN;
            System.arraycopy(iChild, cb, iChild, rb, move);
            System.arraycopy(iSize, cb, iSize, rb, move);
            System.arraycopy(iKey, cb, iKey, rb, move);
            System.arraycopy(iStamp, cb, iStamp, rb, move);
            iCount[c] = keep;
            iCount[r] = move;
            sepK = iKey[cb];
            sepT = iStamp[cb];
            rightSize = 0;
            for (int j = 0; j < move; j++) {
                rightSize += iSize[rb + j];
            }
        }
        int n = iCount[p];
        int from = pb + i + 1;
        System.arraycopy(iChild, from, iChild, from + 1, n - i - 1);
        System.arraycopy(iSize, from, iSize, from + 1, n - i - 1);
        System.arraycopy(iKey, from, iKey, from + 1, n - i - 1);
        System.arraycopy(iStamp, from, iStamp, from + 1, n - i - 1);
        iChild[from] = r;
        iSize[from] = rightSize;
        iKey[from] = sepK;
        iStamp[from] = sepT;
        iSize[pb + i] -= rightSize;
        iCount[p] = n + 1;
    }

    // ------------------------------------------------------------------------------------------------- deletion

    /** Removes the element (k, t), which must be held. */
    private void delete(long k, long t) {
        int node = root;
        int level = height;
        while (level > 0) {
            int i = childIndex(node, k, t);
            int base = node * FAN;
            int c = iChild[base + i];
            if (level == 1 ? lCount[c] <= LEAF_MIN : iCount[c] <= FAN_MIN) {
                refill(node, i, level - 1);
                if (node == root && iCount[node] == 1) { // the root's last two children merged: drop a level
                    root = iChild[base];
                    freeNode(node);
                    height--;
                    node = root;
                    level--;
                    continue;
                }
                i = childIndex(node, k, t);
                c = iChild[base + i];
            }
            iSize[base + i]--;
            node = c;
            level--;
        }
        int n = lCount[node];
        int pos = lowerBound(node, k); // then past the older equal keys (bounded by the leaf size)
        int at = 2 * (node * LEAF + pos);
        while (pos < n && lv[at] == k && lv[at + 1] != t) {
            pos++;
            at += 2;
        }
        if (pos == n || lv[at] != k) {
            throw new IllegalStateException("OrderStatisticWindow: evicted element not found (corrupted tree)");
        }
        System.arraycopy(lv, at + 2, lv, at, 2 * (n - pos - 1));
        lCount[node] = n - 1;
    }

    private int count(int c, int childLevel) {
        return childLevel == 0 ? lCount[c] : iCount[c];
    }

    /**
     * Child {@code i} of {@code p} is at its minimum: borrow one entry from a sibling that has more, else merge it
     * with a sibling (both at the minimum, so the union fits).
     */
    private void refill(int p, int i, int childLevel) {
        int pb = p * FAN;
        int min = childLevel == 0 ? LEAF_MIN : FAN_MIN;
        int n = iCount[p];
        if (i > 0 && count(iChild[pb + i - 1], childLevel) > min) {
            borrowFromLeft(p, i, childLevel);
        } else if (i + 1 < n && count(iChild[pb + i + 1], childLevel) > min) {
            borrowFromRight(p, i, childLevel);
        } else if (i > 0) {
            merge(p, i - 1, childLevel);
        } else {
            merge(p, i, childLevel);
        }
    }

    private void borrowFromLeft(int p, int i, int childLevel) {
        int pb = p * FAN;
        int l = iChild[pb + i - 1];
        int c = iChild[pb + i];
        if (childLevel == 0) {
            int lb = 2 * l * LEAF;
            int cb = 2 * c * LEAF;
            int ln = lCount[l] - 1;
            int cn = lCount[c];
            System.arraycopy(lv, cb, lv, cb + 2, 2 * cn);
            lv[cb] = lv[lb + 2 * ln];
            lv[cb + 1] = lv[lb + 2 * ln + 1];
            lCount[l] = ln;
            lCount[c] = cn + 1;
            iKey[pb + i] = lv[cb];
            iStamp[pb + i] = lv[cb + 1];
            iSize[pb + i - 1]--;
            iSize[pb + i]++;
        } else {
            int lb = l * FAN;
            int cb = c * FAN;
            int ln = iCount[l] - 1;
            int cn = iCount[c];
            System.arraycopy(iChild, cb, iChild, cb + 1, cn);
            System.arraycopy(iSize, cb, iSize, cb + 1, cn);
            System.arraycopy(iKey, cb, iKey, cb + 1, cn);
            System.arraycopy(iStamp, cb, iStamp, cb + 1, cn);
            iKey[cb + 1] = iKey[pb + i]; // c's former first child is bounded below by c's separator
            iStamp[cb + 1] = iStamp[pb + i];
            iChild[cb] = iChild[lb + ln];
            int moved = iSize[lb + ln];
            iSize[cb] = moved;
            iKey[pb + i] = iKey[lb + ln];
            iStamp[pb + i] = iStamp[lb + ln];
            iCount[l] = ln;
            iCount[c] = cn + 1;
            iSize[pb + i - 1] -= moved;
            iSize[pb + i] += moved;
        }
    }

    private void borrowFromRight(int p, int i, int childLevel) {
        int pb = p * FAN;
        int c = iChild[pb + i];
        int r = iChild[pb + i + 1];
        if (childLevel == 0) {
            int cb = 2 * c * LEAF;
            int rb = 2 * r * LEAF;
            int cn = lCount[c];
            int rn = lCount[r] - 1;
            lv[cb + 2 * cn] = lv[rb];
            lv[cb + 2 * cn + 1] = lv[rb + 1];
            System.arraycopy(lv, rb + 2, lv, rb, 2 * rn);
            lCount[c] = cn + 1;
            lCount[r] = rn;
            iKey[pb + i + 1] = lv[rb];
            iStamp[pb + i + 1] = lv[rb + 1];
            iSize[pb + i + 1]--;
            iSize[pb + i]++;
        } else {
            int cb = c * FAN;
            int rb = r * FAN;
            int cn = iCount[c];
            int rn = iCount[r] - 1;
            int moved = iSize[rb];
            iChild[cb + cn] = iChild[rb];
            iSize[cb + cn] = moved;
            iKey[cb + cn] = iKey[pb + i + 1];
            iStamp[cb + cn] = iStamp[pb + i + 1];
            iKey[pb + i + 1] = iKey[rb + 1];
            iStamp[pb + i + 1] = iStamp[rb + 1];
            System.arraycopy(iChild, rb + 1, iChild, rb, rn);
            System.arraycopy(iSize, rb + 1, iSize, rb, rn);
            System.arraycopy(iKey, rb + 1, iKey, rb, rn);
            System.arraycopy(iStamp, rb + 1, iStamp, rb, rn);
            iCount[c] = cn + 1;
            iCount[r] = rn;
            iSize[pb + i + 1] -= moved;
            iSize[pb + i] += moved;
        }
    }

    /** Merges child {@code i + 1} of {@code p} into child {@code i} and removes it from {@code p}. */
    private void merge(int p, int i, int childLevel) {
        int pb = p * FAN;
        int a = iChild[pb + i];
        int b = iChild[pb + i + 1];
        if (childLevel == 0) {
            int an = lCount[a];
            int bn = lCount[b];
            System.arraycopy(lv, 2 * b * LEAF, lv, 2 * (a * LEAF + an), 2 * bn);
            lCount[a] = an + bn;
            lNext[a] = lNext[b];
            freeLeaf(b);
        } else {
            int an = iCount[a];
            int bn = iCount[b];
            int ab = a * FAN + an;
            int bb = b * FAN;
            iKey[bb] = iKey[pb + i + 1]; // b's first child is bounded below by b's separator
            iStamp[bb] = iStamp[pb + i + 1];
            System.arraycopy(iChild, bb, iChild, ab, bn);
            System.arraycopy(iSize, bb, iSize, ab, bn);
            System.arraycopy(iKey, bb, iKey, ab, bn);
            System.arraycopy(iStamp, bb, iStamp, ab, bn);
            iCount[a] = an + bn;
            freeNode(b);
        }
        iSize[pb + i] += iSize[pb + i + 1];
        int n = iCount[p];
        int from = pb + i + 2;
        System.arraycopy(iChild, from, iChild, from - 1, n - i - 2);
        System.arraycopy(iSize, from, iSize, from - 1, n - i - 2);
        System.arraycopy(iKey, from, iKey, from - 1, n - i - 2);
        System.arraycopy(iStamp, from, iStamp, from - 1, n - i - 2);
        iCount[p] = n - 1;
    }

    // ------------------------------------------------------------------------------------------------- pools

    private int allocLeaf() {
        if (leafFreeTop == 0) {
            throw new IllegalStateException("OrderStatisticWindow: leaf pool exhausted (capacity " + capacity() + ")");
        }
        int leaf = leafFree[--leafFreeTop];
        lCount[leaf] = 0;
        return leaf;
    }

    private void freeLeaf(int leaf) {
        leafFree[leafFreeTop++] = leaf;
    }

    private int allocNode() {
        if (nodeFreeTop == 0) {
            throw new IllegalStateException("OrderStatisticWindow: node pool exhausted (capacity " + capacity() + ")");
        }
        int node = nodeFree[--nodeFreeTop];
        iCount[node] = 0;
        return node;
    }

    private void freeNode(int node) {
        nodeFree[nodeFreeTop++] = node;
    }

    // ------------------------------------------------------------------------------------------------- checks

    /** The tree's height (0: the root is a leaf), for tests. */
    int height() {
        return height;
    }

    /**
     * Verifies every structural invariant (sorted keys, separators, counts, occupancy, leaf chain, uniform depth)
     * and throws {@link IllegalStateException} naming the first violation. O(w); for tests.
     */
    void checkInvariants() {
        long[] prev = {Long.MIN_VALUE, Long.MIN_VALUE};
        boolean[] first = {true};
        int[] lastLeaf = {-1};
        int total = check(root, height, true, Long.MIN_VALUE, Long.MIN_VALUE, false, prev, first, lastLeaf);
        if (total != size) {
            throw new IllegalStateException("tree holds " + total + " elements, size says " + size);
        }
        if (lastLeaf[0] >= 0 && lNext[lastLeaf[0]] != -1) {
            throw new IllegalStateException("last leaf " + lastLeaf[0] + " has a next pointer");
        }
    }

    private int check(int node, int level, boolean isRoot, long loK, long loT, boolean hasLo, long[] prev,
                      boolean[] first, int[] lastLeaf) {
        if (level == 0) {
            int n = lCount[node];
            if (!isRoot && n < LEAF_MIN) {
                throw new IllegalStateException("leaf " + node + " under-full: " + n);
            }
            if (lastLeaf[0] >= 0 && lNext[lastLeaf[0]] != node) {
                throw new IllegalStateException("leaf chain broken before leaf " + node);
            }
            lastLeaf[0] = node;
            for (int i = 0; i < n; i++) {
                long k = lv[2 * (node * LEAF + i)];
                long t = lv[2 * (node * LEAF + i) + 1];
                if (hasLo && less(k, t, loK, loT)) {
                    throw new IllegalStateException("leaf " + node + " key below its separator");
                }
                if (!first[0] && !less(prev[0], prev[1], k, t)) {
                    throw new IllegalStateException("keys out of order at leaf " + node + " position " + i);
                }
                first[0] = false;
                prev[0] = k;
                prev[1] = t;
            }
            return n;
        }
        int n = iCount[node];
        if (n < (isRoot ? 2 : FAN_MIN)) {
            throw new IllegalStateException("node " + node + " under-full: " + n);
        }
        int total = 0;
        for (int j = 0; j < n; j++) {
            int b = node * FAN + j;
            boolean lo = j > 0 || hasLo;
            long k = j > 0 ? iKey[b] : loK;
            long t = j > 0 ? iStamp[b] : loT;
            if (j > 0 && !first[0] && !less(prev[0], prev[1], k, t)) {
                throw new IllegalStateException("separator " + j + " of node " + node + " not above the child before");
            }
            int s = check(iChild[b], level - 1, false, k, t, lo, prev, first, lastLeaf);
            if (s != iSize[b]) {
                throw new IllegalStateException(
                        "node " + node + " child " + j + " counts " + iSize[b] + ", holds " + s);
            }
            total += s;
        }
        return total;
    }
}
