package dev.helix.nexus.ml;

import dev.helix.nexus.ml.internal.Shapes;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A dense, row-major, float32 n-dimensional array: a shape plus one contiguous {@code float[]}.
 *
 * <p>All operations are value-returning (they allocate a new tensor) unless their name ends in
 * {@code InPlace}. Binary elementwise operations follow NumPy broadcasting rules. Matrix
 * multiplication dispatches to a register-blocked Vector API kernel or a scalar reference kernel
 * according to {@link ComputeBackend}. Complexity: elementwise ops and reductions are O(size);
 * {@link #matmul} is O(batch*m*k*n).
 *
 * <p>Thread-safety: a tensor is not synchronised; {@link #data()} exposes the backing array.
 * Concurrent reads are safe; any concurrent write (in-place ops, {@code set}) is not.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    // ---------------------------------------------------------------- factories

    /** Wraps (does not copy) {@code data} as a tensor of {@code shape}. */
    public static Tensor fromData(float[] data, int... shape) {
        int[] s = shape.clone();
        int n = Shapes.size(s);
        if (n != data.length) {
            throw new IllegalArgumentException("data length " + data.length + " does not match shape "
                    + Arrays.toString(s) + " (size " + n + ")");
        }
        return new Tensor(s, data);
    }

    /** Tensor from doubles (copied and narrowed). */
    public static Tensor of(double[] values, int... shape) {
        float[] d = new float[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) values[i];
        }
        return fromData(d, shape);
    }

    /** All-zero tensor. */
    public static Tensor zeros(int... shape) {
        return new Tensor(shape.clone(), new float[Shapes.size(shape)]);
    }

    /** All-one tensor. */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** Constant tensor. */
    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(shape);
        Arrays.fill(t.data, value);
        return t;
    }

    /** Rank-0 scalar tensor. */
    public static Tensor scalar(float value) {
        return new Tensor(new int[0], new float[] {value});
    }

    /** 1-D tensor {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return new Tensor(new int[] {n}, d);
    }

    /** Uniform {@code [-1, 1)} random tensor from a seeded {@link SplittableRandom}. */
    public static Tensor random(long seed, int... shape) {
        return uniform(new SplittableRandom(seed), -1f, 1f, shape);
    }

    /** Uniform {@code [lo, hi)} random tensor. */
    public static Tensor uniform(SplittableRandom rng, float lo, float hi, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return t;
    }

    /** Standard-normal random tensor (Box–Muller from a seeded {@link SplittableRandom}). */
    public static Tensor randn(long seed, int... shape) {
        return normal(new SplittableRandom(seed), 0f, 1f, shape);
    }

    /** Normal random tensor with given mean and standard deviation. */
    public static Tensor normal(SplittableRandom rng, float mean, float std, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            t.data[i] = (float) (mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return t;
    }

    /**
     * Xavier/Glorot uniform init (Glorot &amp; Bengio 2010): {@code U(-a, a)},
     * {@code a = sqrt(6 / (fanIn + fanOut))}.
     */
    public static Tensor xavier(long seed, int fanIn, int fanOut, int... shape) {
        float a = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        return uniform(new SplittableRandom(seed), -a, a, shape);
    }

    /** He/Kaiming normal init (He et al. 2015): {@code N(0, 2 / fanIn)}. */
    public static Tensor he(long seed, int fanIn, int... shape) {
        return normal(new SplittableRandom(seed), 0f, (float) Math.sqrt(2.0 / fanIn), shape);
    }

    // ---------------------------------------------------------------- accessors

    /** Copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of one axis (negative axes count from the end). */
    public int dim(int axis) {
        return shape[Shapes.axis(axis, shape.length)];
    }

    /** Number of axes. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    /** The backing array (not a copy). */
    public float[] data() {
        return data;
    }

    /** Element at a multi-index. */
    public float get(int... index) {
        return data[offset(index)];
    }

    /** Sets the element at a multi-index. */
    public void set(float value, int... index) {
        data[offset(index)] = value;
    }

    /** Scalar value of a single-element tensor. */
    public float item() {
        if (data.length != 1) {
            throw new IllegalStateException("item() needs exactly one element, shape " + Arrays.toString(shape));
        }
        return data[0];
    }

    private int offset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index rank " + index.length + " != tensor rank " + shape.length);
        }
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of bounds for "
                        + Arrays.toString(shape));
            }
            off = off * shape[i] + index[i];
        }
        return off;
    }

    /** Deep copy. */
    public Tensor copy() {
        return new Tensor(shape.clone(), data.clone());
    }

    /** True when both shapes are equal. */
    public boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    // ---------------------------------------------------------------- elementwise

    /** Applies {@code f} to every element. */
    public Tensor map(DoubleUnaryOperator f) {
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) f.applyAsDouble(data[i]);
        }
        return new Tensor(shape.clone(), out);
    }

    /** Broadcasting binary operation. */
    public Tensor zip(Tensor other, String op, DoubleBinaryOperator f) {
        if (Arrays.equals(shape, other.shape)) {
            float[] out = new float[data.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) f.applyAsDouble(data[i], other.data[i]);
            }
            return new Tensor(shape.clone(), out);
        }
        int[] os = Shapes.broadcast(op, shape, other.shape);
        int[] sa = Shapes.broadcastStrides(shape, os);
        int[] sb = Shapes.broadcastStrides(other.shape, os);
        int n = Shapes.size(os);
        float[] out = new float[n];
        int[] idx = new int[os.length];
        int ia = 0, ib = 0;
        for (int o = 0; o < n; o++) {
            out[o] = (float) f.applyAsDouble(data[ia], other.data[ib]);
            for (int ax = os.length - 1; ax >= 0; ax--) {
                idx[ax]++;
                ia += sa[ax];
                ib += sb[ax];
                if (idx[ax] < os[ax]) {
                    break;
                }
                ia -= sa[ax] * os[ax];
                ib -= sb[ax] * os[ax];
                idx[ax] = 0;
            }
        }
        return new Tensor(os, out);
    }

    /** Broadcasting addition. */
    public Tensor add(Tensor o) {
        return zip(o, "add", Double::sum);
    }

    /** Broadcasting subtraction. */
    public Tensor sub(Tensor o) {
        return zip(o, "sub", (x, y) -> x - y);
    }

    /** Broadcasting (Hadamard) multiplication. */
    public Tensor mul(Tensor o) {
        return zip(o, "mul", (x, y) -> x * y);
    }

    /** Broadcasting division. */
    public Tensor div(Tensor o) {
        return zip(o, "div", (x, y) -> x / y);
    }

    /** Broadcasting elementwise maximum. */
    public Tensor maximum(Tensor o) {
        return zip(o, "maximum", Math::max);
    }

    /** Broadcasting elementwise minimum. */
    public Tensor minimum(Tensor o) {
        return zip(o, "minimum", Math::min);
    }

    /** Broadcasting elementwise power. */
    public Tensor pow(Tensor o) {
        return zip(o, "pow", Math::pow);
    }

    /** Adds a scalar. */
    public Tensor add(float s) {
        return map(x -> x + s);
    }

    /** Multiplies by a scalar. */
    public Tensor mul(float s) {
        return map(x -> x * s);
    }

    /** Raises each element to a scalar power. */
    public Tensor pow(double p) {
        return map(x -> Math.pow(x, p));
    }

    /** Negation. */
    public Tensor neg() {
        return map(x -> -x);
    }

    /** Absolute value. */
    public Tensor abs() {
        return map(Math::abs);
    }

    /** Sign (-1, 0, 1). */
    public Tensor sign() {
        return map(Math::signum);
    }

    /** Exponential. */
    public Tensor exp() {
        return map(Math::exp);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return map(Math::log);
    }

    /** Square root. */
    public Tensor sqrt() {
        return map(Math::sqrt);
    }

    /** Square. */
    public Tensor square() {
        return map(x -> x * x);
    }

    /** Reciprocal. */
    public Tensor reciprocal() {
        return map(x -> 1.0 / x);
    }

    /** Clamps every element into {@code [lo, hi]}. */
    public Tensor clip(float lo, float hi) {
        if (lo > hi) {
            throw new IllegalArgumentException("clip: lo " + lo + " > hi " + hi);
        }
        return map(x -> Math.min(hi, Math.max(lo, x)));
    }

    /** {@code this += o} (same shape, or {@code o} broadcastable to this shape). */
    public Tensor addInPlace(Tensor o) {
        if (Arrays.equals(shape, o.shape)) {
            for (int i = 0; i < data.length; i++) {
                data[i] += o.data[i];
            }
            return this;
        }
        Tensor r = add(o);
        if (!Arrays.equals(r.shape, shape)) {
            throw new ShapeMismatchException("addInPlace", shape, o.shape, "result shape would change");
        }
        System.arraycopy(r.data, 0, data, 0, data.length);
        return this;
    }

    /** {@code this *= s}. */
    public Tensor mulInPlace(float s) {
        for (int i = 0; i < data.length; i++) {
            data[i] *= s;
        }
        return this;
    }

    /** Fills with a constant. */
    public Tensor fill(float v) {
        Arrays.fill(data, v);
        return this;
    }

    // ---------------------------------------------------------------- activations

    /** Rectified linear unit {@code max(0, x)}. */
    public Tensor relu() {
        return map(x -> x > 0 ? x : 0);
    }

    /** Leaky ReLU: {@code x} if positive else {@code slope*x}. */
    public Tensor leakyRelu(float slope) {
        return map(x -> x > 0 ? x : slope * x);
    }

    /** ELU (Clevert et al. 2015): {@code x} if positive else {@code alpha*(e^x - 1)}. */
    public Tensor elu(float alpha) {
        return map(x -> x > 0 ? x : alpha * Math.expm1(x));
    }

    /** GELU, tanh approximation (Hendrycks &amp; Gimpel 2016). */
    public Tensor gelu() {
        return map(Activations::gelu);
    }

    /** Logistic sigmoid, numerically stable for large |x|. */
    public Tensor sigmoid() {
        return map(Activations::sigmoid);
    }

    /** Hyperbolic tangent. */
    public Tensor tanh() {
        return map(Math::tanh);
    }

    /** Softplus {@code log(1 + e^x)}, stable. */
    public Tensor softplus() {
        return map(x -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
    }

    /** Softmax along {@code axis} (max-subtracted for stability). */
    public Tensor softmax(int axis) {
        Tensor ls = logSoftmax(axis);
        return ls.map(Math::exp);
    }

    /** Log-softmax along {@code axis} via log-sum-exp. */
    public Tensor logSoftmax(int axis) {
        int ax = Shapes.axis(axis, shape.length);
        int outer = 1, inner = 1, len = shape[ax];
        for (int i = 0; i < ax; i++) {
            outer *= shape[i];
        }
        for (int i = ax + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] out = new float[data.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                float mx = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    mx = Math.max(mx, data[base + j * inner]);
                }
                double s = 0;
                for (int j = 0; j < len; j++) {
                    s += Math.exp(data[base + j * inner] - mx);
                }
                double lse = mx + Math.log(s);
                for (int j = 0; j < len; j++) {
                    out[base + j * inner] = (float) (data[base + j * inner] - lse);
                }
            }
        }
        return new Tensor(shape.clone(), out);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements (double accumulation). */
    public float sum() {
        double s = 0;
        for (float v : data) {
            s += v;
        }
        return (float) s;
    }

    /** Mean of all elements. */
    public float mean() {
        return sum() / data.length;
    }

    /** Maximum of all elements. */
    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : data) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Minimum of all elements. */
    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (float v : data) {
            m = Math.min(m, v);
        }
        return m;
    }

    private interface AxisReducer {
        double reduce(float[] d, int base, int len, int stride);
    }

    private Tensor reduceAxis(int axis, boolean keepDims, AxisReducer r) {
        int ax = Shapes.axis(axis, shape.length);
        int outer = 1, inner = 1, len = shape[ax];
        for (int i = 0; i < ax; i++) {
            outer *= shape[i];
        }
        for (int i = ax + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] out = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                out[o * inner + in] = (float) r.reduce(data, o * len * inner + in, len, inner);
            }
        }
        int[] os;
        if (keepDims) {
            os = shape.clone();
            os[ax] = 1;
        } else {
            os = new int[shape.length - 1];
            for (int i = 0, j = 0; i < shape.length; i++) {
                if (i != ax) {
                    os[j++] = shape[i];
                }
            }
        }
        return new Tensor(os, out);
    }

    /** Sum along an axis. */
    public Tensor sum(int axis, boolean keepDims) {
        return reduceAxis(axis, keepDims, (d, b, n, s) -> {
            double acc = 0;
            for (int j = 0; j < n; j++) {
                acc += d[b + j * s];
            }
            return acc;
        });
    }

    /** Mean along an axis. */
    public Tensor mean(int axis, boolean keepDims) {
        return reduceAxis(axis, keepDims, (d, b, n, s) -> {
            double acc = 0;
            for (int j = 0; j < n; j++) {
                acc += d[b + j * s];
            }
            return acc / n;
        });
    }

    /** Maximum along an axis. */
    public Tensor max(int axis, boolean keepDims) {
        return reduceAxis(axis, keepDims, (d, b, n, s) -> {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                m = Math.max(m, d[b + j * s]);
            }
            return m;
        });
    }

    /** Minimum along an axis. */
    public Tensor min(int axis, boolean keepDims) {
        return reduceAxis(axis, keepDims, (d, b, n, s) -> {
            float m = Float.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                m = Math.min(m, d[b + j * s]);
            }
            return m;
        });
    }

    /** Index of the maximum along an axis (first on ties), as float values. */
    public Tensor argmax(int axis) {
        return reduceAxis(axis, false, (d, b, n, s) -> {
            int best = 0;
            for (int j = 1; j < n; j++) {
                if (d[b + j * s] > d[b + best * s]) {
                    best = j;
                }
            }
            return best;
        });
    }

    /** Population variance along an axis (two-pass, double accumulation). */
    public Tensor variance(int axis, boolean keepDims) {
        return reduceAxis(axis, keepDims, (d, b, n, s) -> {
            double m = 0;
            for (int j = 0; j < n; j++) {
                m += d[b + j * s];
            }
            m /= n;
            double v = 0;
            for (int j = 0; j < n; j++) {
                double x = d[b + j * s] - m;
                v += x * x;
            }
            return v / n;
        });
    }

    /** Population standard deviation along an axis. */
    public Tensor std(int axis, boolean keepDims) {
        return variance(axis, keepDims).sqrt();
    }

    /** L1 norm of all elements. */
    public float norm1() {
        double s = 0;
        for (float v : data) {
            s += Math.abs(v);
        }
        return (float) s;
    }

    /** L2 (Frobenius) norm of all elements. */
    public float norm2() {
        double s = 0;
        for (float v : data) {
            s += (double) v * v;
        }
        return (float) Math.sqrt(s);
    }

    /** L-infinity norm of all elements. */
    public float normInf() {
        float m = 0;
        for (float v : data) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Dot product of two same-size tensors (double accumulation). */
    public float dot(Tensor o) {
        if (o.data.length != data.length) {
            throw new ShapeMismatchException("dot", shape, o.shape, "sizes differ");
        }
        double s = 0;
        for (int i = 0; i < data.length; i++) {
            s += (double) data[i] * o.data[i];
        }
        return (float) s;
    }

    /** True if every element is within {@code tol} (absolute) of {@code o}'s and shapes match. */
    public boolean allClose(Tensor o, float tol) {
        if (!sameShape(o)) {
            return false;
        }
        for (int i = 0; i < data.length; i++) {
            if (!(Math.abs(data[i] - o.data[i]) <= tol)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- linear algebra

    /** Matrix product with the default {@link ComputeBackend}. */
    public Tensor matmul(Tensor o) {
        return matmul(o, ComputeBackend.getDefault());
    }

    /**
     * Matrix product. {@code [m,k] x [k,n] -> [m,n]}; batched {@code [..., m, k] x [..., k, n]}
     * with identical batch dimensions, or {@code [..., m, k] x [k, n]} (right operand shared).
     */
    public Tensor matmul(Tensor o, ComputeBackend backend) {
        if (shape.length < 2 || o.shape.length < 2) {
            throw new ShapeMismatchException("matmul", shape, o.shape, "both operands need rank >= 2");
        }
        int m = shape[shape.length - 2], k = shape[shape.length - 1];
        int k2 = o.shape[o.shape.length - 2], n = o.shape[o.shape.length - 1];
        if (k != k2) {
            throw new ShapeMismatchException("matmul", shape, o.shape, "inner dimensions " + k + " != " + k2);
        }
        int batch = data.length / Math.max(1, m * k);
        if (m * k == 0) {
            batch = 1;
            for (int i = 0; i < shape.length - 2; i++) {
                batch *= shape[i];
            }
        }
        boolean shared = o.shape.length == 2;
        if (!shared) {
            if (o.shape.length != shape.length
                    || !Arrays.equals(Arrays.copyOf(shape, shape.length - 2), Arrays.copyOf(o.shape, o.shape.length - 2))) {
                throw new ShapeMismatchException("matmul", shape, o.shape, "batch dimensions differ");
            }
        }
        int[] os = shape.clone();
        os[os.length - 1] = n;
        float[] out = new float[Shapes.size(os)];
        for (int bi = 0; bi < batch; bi++) {
            backend.gemm(data, bi * m * k, o.data, shared ? 0 : bi * k * n, out, bi * m * n, m, k, n, false);
        }
        return new Tensor(os, out);
    }

    /** Transpose of the last two axes (rank >= 2). */
    public Tensor transpose() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("transpose needs rank >= 2, got shape " + Arrays.toString(shape));
        }
        return transpose(shape.length - 2, shape.length - 1);
    }

    /** Swaps two axes. */
    public Tensor transpose(int axisA, int axisB) {
        int[] perm = new int[shape.length];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int a = Shapes.axis(axisA, shape.length), b = Shapes.axis(axisB, shape.length);
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /** General axis permutation: output axis {@code i} is input axis {@code perm[i]}. */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " does not match rank of "
                    + Arrays.toString(shape));
        }
        int[] st = Shapes.strides(shape);
        int[] os = new int[perm.length];
        int[] ps = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shapes.axis(perm[i], perm.length);
            if (seen[p]) {
                throw new IllegalArgumentException("permute: repeated axis in " + Arrays.toString(perm));
            }
            seen[p] = true;
            os[i] = shape[p];
            ps[i] = st[p];
        }
        float[] out = new float[data.length];
        int[] idx = new int[os.length];
        int src = 0;
        for (int o = 0; o < out.length; o++) {
            out[o] = data[src];
            for (int ax = os.length - 1; ax >= 0; ax--) {
                idx[ax]++;
                src += ps[ax];
                if (idx[ax] < os[ax]) {
                    break;
                }
                src -= ps[ax] * os[ax];
                idx[ax] = 0;
            }
        }
        return new Tensor(os, out);
    }

    /** Same data, new shape (one dim may be -1 to infer). Shares the backing array. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(newShape));
                }
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || data.length % known != 0) {
                throw new ShapeMismatchException("reshape", shape, newShape, "cannot infer -1");
            }
            s[infer] = data.length / known;
        }
        if (Shapes.size(s) != data.length) {
            throw new ShapeMismatchException("reshape", shape, newShape, "element counts differ");
        }
        return new Tensor(s, data);
    }

    /** Elements {@code [from, to)} along {@code axis} (copied). */
    public Tensor slice(int axis, int from, int to) {
        int ax = Shapes.axis(axis, shape.length);
        if (from < 0 || to > shape[ax] || from > to) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") out of range for axis " + ax
                    + " of shape " + Arrays.toString(shape));
        }
        int outer = 1, inner = 1;
        for (int i = 0; i < ax; i++) {
            outer *= shape[i];
        }
        for (int i = ax + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        int[] os = shape.clone();
        os[ax] = to - from;
        float[] out = new float[Shapes.size(os)];
        int chunk = (to - from) * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(data, (o * shape[ax] + from) * inner, out, o * chunk, chunk);
        }
        return new Tensor(os, out);
    }

    /** Concatenation along {@code axis}; all other dims must agree. */
    public static Tensor concat(int axis, Tensor... ts) {
        if (ts.length == 0) {
            throw new IllegalArgumentException("concat of zero tensors");
        }
        int[] base = ts[0].shape;
        int ax = Shapes.axis(axis, base.length);
        int total = 0;
        for (Tensor t : ts) {
            if (t.shape.length != base.length) {
                throw new ShapeMismatchException("concat", base, t.shape, "ranks differ");
            }
            for (int i = 0; i < base.length; i++) {
                if (i != ax && t.shape[i] != base[i]) {
                    throw new ShapeMismatchException("concat", base, t.shape, "axis " + i + " differs");
                }
            }
            total += t.shape[ax];
        }
        int outer = 1, inner = 1;
        for (int i = 0; i < ax; i++) {
            outer *= base[i];
        }
        for (int i = ax + 1; i < base.length; i++) {
            inner *= base[i];
        }
        int[] os = base.clone();
        os[ax] = total;
        float[] out = new float[Shapes.size(os)];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Tensor t : ts) {
                int chunk = t.shape[ax] * inner;
                System.arraycopy(t.data, o * chunk, out, pos, chunk);
                pos += chunk;
            }
        }
        return new Tensor(os, out);
    }

    /** Reduces a broadcast gradient back to {@code target} shape by summing broadcast axes. */
    public Tensor sumTo(int... target) {
        if (Arrays.equals(shape, target)) {
            return this;
        }
        Tensor t = this;
        while (t.shape.length > target.length) {
            t = t.sum(0, false);
        }
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 1 && t.shape[i] != 1) {
                t = t.sum(i, true);
            }
        }
        if (!Arrays.equals(t.shape, target)) {
            throw new ShapeMismatchException("sumTo", shape, target, "not a broadcast of target");
        }
        return t;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (data.length <= 16 ? Arrays.toString(data) : "");
    }
}
