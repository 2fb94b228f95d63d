package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Activations;
import dev.helix.nexus.ml.ComputeBackend;
import dev.helix.nexus.ml.ShapeMismatchException;
import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;
import dev.helix.nexus.ml.internal.Mat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Long short-term memory layer (Hochreiter &amp; Schmidhuber 1997, with the forget gate of Gers et
 * al. 2000), trained by full backpropagation through time.
 *
 * <p>Input {@code [batch, T, in]}; output {@code [batch, T, hidden]} when {@code returnSequences},
 * else the last hidden state {@code [batch, hidden]}. Per step, with gates ordered
 * {@code i, f, g, o} in {@code z = x_t W + h_{t-1} U + b}:
 * {@code c_t = σ(f) c_{t-1} + σ(i) tanh(g)}, {@code h_t = σ(o) tanh(c_t)}. Initial state is zero.
 * Stack layers by placing several in a {@link Sequential} with {@code returnSequences=true} on all
 * but the last. Weights are {@code U(-1/sqrt(H), 1/sqrt(H))}; forget-gate bias starts at 1.
 * Complexity O(T*batch*4H*(in+H)) per pass; memory O(T*batch*H) for the BPTT cache. Not
 * thread-safe.
 */
public final class Lstm implements Layer {
    private final int in;
    private final int hidden;
    private final boolean returnSequences;
    private final Parameter w;
    private final Parameter u;
    private final Parameter b;

    private int batch;
    private int steps;
    private float[][] xs;
    private float[][] hs;
    private float[][] cs;
    private float[][] gates;

    /** Creates an LSTM with seeded initialisation. */
    public Lstm(int in, int hidden, boolean returnSequences, long seed) {
        if (in <= 0 || hidden <= 0) {
            throw new IllegalArgumentException("Lstm sizes must be positive: in=" + in + " hidden=" + hidden);
        }
        this.in = in;
        this.hidden = hidden;
        this.returnSequences = returnSequences;
        SplittableRandom rng = new SplittableRandom(seed);
        float a = (float) (1 / Math.sqrt(hidden));
        this.w = new Parameter("w", Tensor.uniform(rng, -a, a, in, 4 * hidden));
        this.u = new Parameter("u", Tensor.uniform(rng, -a, a, hidden, 4 * hidden));
        Tensor bias = Tensor.zeros(4 * hidden);
        for (int j = hidden; j < 2 * hidden; j++) {
            bias.data()[j] = 1f;
        }
        this.b = new Parameter("b", bias);
    }

    /** Hidden size. */
    public int hiddenSize() {
        return hidden;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        Checks.shape("Lstm.forward", input, -1, -1, in);
        batch = input.dim(0);
        steps = input.dim(1);
        int h4 = 4 * hidden;
        float[] x = input.data();
        float[] wd = w.value().data(), ud = u.value().data(), bd = b.value().data();
        ComputeBackend be = ComputeBackend.getDefault();
        xs = new float[steps][];
        hs = new float[steps + 1][];
        cs = new float[steps + 1][];
        gates = new float[steps][];
        hs[0] = new float[batch * hidden];
        cs[0] = new float[batch * hidden];
        float[] out = new float[returnSequences ? batch * steps * hidden : batch * hidden];
        for (int t = 0; t < steps; t++) {
            float[] xt = new float[batch * in];
            for (int n = 0; n < batch; n++) {
                System.arraycopy(x, (n * steps + t) * in, xt, n * in, in);
            }
            xs[t] = xt;
            float[] z = new float[batch * h4];
            for (int n = 0; n < batch; n++) {
                System.arraycopy(bd, 0, z, n * h4, h4);
            }
            be.gemm(xt, 0, wd, 0, z, 0, batch, in, h4, true);
            be.gemm(hs[t], 0, ud, 0, z, 0, batch, hidden, h4, true);
            float[] c = new float[batch * hidden];
            float[] h = new float[batch * hidden];
            float[] cp = cs[t];
            for (int n = 0; n < batch; n++) {
                int zb = n * h4;
                for (int j = 0; j < hidden; j++) {
                    float ig = (float) Activations.sigmoid(z[zb + j]);
                    float fg = (float) Activations.sigmoid(z[zb + hidden + j]);
                    float gg = (float) Math.tanh(z[zb + 2 * hidden + j]);
                    float og = (float) Activations.sigmoid(z[zb + 3 * hidden + j]);
                    z[zb + j] = ig;
                    z[zb + hidden + j] = fg;
                    z[zb + 2 * hidden + j] = gg;
                    z[zb + 3 * hidden + j] = og;
                    int k = n * hidden + j;
                    c[k] = fg * cp[k] + ig * gg;
                    h[k] = og * (float) Math.tanh(c[k]);
                }
            }
            gates[t] = z;
            cs[t + 1] = c;
            hs[t + 1] = h;
            if (returnSequences) {
                for (int n = 0; n < batch; n++) {
                    System.arraycopy(h, n * hidden, out, (n * steps + t) * hidden, hidden);
                }
            }
        }
        if (!returnSequences) {
            System.arraycopy(hs[steps], 0, out, 0, batch * hidden);
            return Tensor.fromData(out, batch, hidden);
        }
        return Tensor.fromData(out, batch, steps, hidden);
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(xs, "Lstm");
        int[] expect = returnSequences ? new int[] {batch, steps, hidden} : new int[] {batch, hidden};
        if (!java.util.Arrays.equals(gradOutput.shape(), expect)) {
            throw new ShapeMismatchException("Lstm.backward", gradOutput.shape(), expect, "gradient must match output");
        }
        int h4 = 4 * hidden;
        float[] go = gradOutput.data();
        ComputeBackend be = ComputeBackend.getDefault();
        float[] wT = Mat.transpose(w.value().data(), 0, in, h4);
        float[] uT = Mat.transpose(u.value().data(), 0, hidden, h4);
        float[] dW = w.grad().data(), dU = u.grad().data(), dB = b.grad().data();
        float[] dx = new float[batch * steps * in];
        float[] dhNext = new float[batch * hidden];
        float[] dcNext = new float[batch * hidden];
        float[] dz = new float[batch * h4];
        float[] dxt = new float[batch * in];
        for (int t = steps - 1; t >= 0; t--) {
            float[] g = gates[t], c = cs[t + 1], cp = cs[t];
            for (int n = 0; n < batch; n++) {
                for (int j = 0; j < hidden; j++) {
                    int k = n * hidden + j;
                    float dh = dhNext[k];
                    if (returnSequences) {
                        dh += go[(n * steps + t) * hidden + j];
                    } else if (t == steps - 1) {
                        dh += go[k];
                    }
                    int zb = n * h4;
                    float ig = g[zb + j], fg = g[zb + hidden + j], gg = g[zb + 2 * hidden + j], og = g[zb + 3 * hidden + j];
                    float tc = (float) Math.tanh(c[k]);
                    float dc = dcNext[k] + dh * og * (1 - tc * tc);
                    dz[zb + j] = dc * gg * ig * (1 - ig);
                    dz[zb + hidden + j] = dc * cp[k] * fg * (1 - fg);
                    dz[zb + 2 * hidden + j] = dc * ig * (1 - gg * gg);
                    dz[zb + 3 * hidden + j] = dh * tc * og * (1 - og);
                    dcNext[k] = dc * fg;
                }
            }
            be.gemm(Mat.transpose(xs[t], 0, batch, in), 0, dz, 0, dW, 0, in, batch, h4, true);
            be.gemm(Mat.transpose(hs[t], 0, batch, hidden), 0, dz, 0, dU, 0, hidden, batch, h4, true);
            for (int n = 0; n < batch; n++) {
                for (int j = 0; j < h4; j++) {
                    dB[j] += dz[n * h4 + j];
                }
            }
            be.gemm(dz, 0, wT, 0, dxt, 0, batch, h4, in, false);
            for (int n = 0; n < batch; n++) {
                System.arraycopy(dxt, n * in, dx, (n * steps + t) * in, in);
            }
            be.gemm(dz, 0, uT, 0, dhNext, 0, batch, h4, hidden, false);
        }
        return Tensor.fromData(dx, batch, steps, in);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(w, u, b);
    }
    /**
     * Creates an allocation-free inference session for inputs of exactly {@code [batch, steps, in]}.
     * All buffers (gate pre-activations, hidden and cell state, the sliced input and the output) are
     * allocated here once; {@link InferenceSession#run(Tensor)} then computes exactly what
     * {@link #forward(Tensor, boolean) forward(input, false)} computes (bit-identical: same kernels, same
     * operation order) without allocating on the Java heap once the JIT has compiled it. The
     * session reads the layer's current weights on every call, so it stays valid across training
     * updates. The session is not thread-safe; use one per thread.
     */
    public InferenceSession newInferenceSession(int batch, int steps) {
        if (batch <= 0 || steps <= 0) {
            throw new IllegalArgumentException("Lstm session sizes must be positive: batch=" + batch + " steps=" + steps);
        }
        return new InferenceSession(batch, steps);
    }

    /**
     * Preallocated, reusable forward pass of this {@link Lstm} for a fixed {@code [batch, steps, in]}
     * input shape (see {@link Lstm#newInferenceSession(int, int)}). The returned tensor is owned by
     * the session and overwritten by the next call; copy it if it must outlive that call. Memory
     * O(batch*(4H + in) + output); time per call O(T*batch*4H*(in+H)). Not thread-safe.
     */
    public final class InferenceSession {
        private final int sBatch;
        private final int sSteps;
        private final float[] xt;
        private final float[] z;
        private float[] hPrev;
        private float[] hCur;
        private float[] cPrev;
        private float[] cCur;
        private final float[] out;
        private final Tensor outTensor;
        private final int[] inShape;

        private InferenceSession(int batch, int steps) {
            this.sBatch = batch;
            this.sSteps = steps;
            this.xt = new float[batch * in];
            this.z = new float[batch * 4 * hidden];
            this.hPrev = new float[batch * hidden];
            this.hCur = new float[batch * hidden];
            this.cPrev = new float[batch * hidden];
            this.cCur = new float[batch * hidden];
            this.out = new float[returnSequences ? batch * steps * hidden : batch * hidden];
            this.outTensor = returnSequences ? Tensor.fromData(out, batch, steps, hidden) : Tensor.fromData(out, batch, hidden);
            this.inShape = new int[] {batch, steps, in};
        }

        /** Input shape this session accepts: {@code [batch, steps, in]}. */
        public int[] inputShape() {
            return inShape.clone();
        }

        /**
         * Runs the forward pass on {@code input} ({@code [batch, steps, in]}) and returns the
         * session-owned output tensor (same shape and values as {@code forward(input, false)}).
         */
        public Tensor run(Tensor input) {
            if (input.rank() != 3 || input.dim(0) != sBatch || input.dim(1) != sSteps || input.dim(2) != in) {
                throw new ShapeMismatchException("Lstm.InferenceSession.run", input.shape(), inShape,
                        "session was created for a fixed input shape");
            }
            run(input.data(), out);
            return outTensor;
        }

        /**
         * Raw-array variant: {@code x} is row-major {@code [batch, steps, in]}; the result is written
         * to {@code dst} ({@code [batch, steps, hidden]} or {@code [batch, hidden]}, per
         * {@code returnSequences}).
         */
        public void run(float[] x, float[] dst) {
            if (x.length != sBatch * sSteps * in || dst.length != out.length) {
                throw new IllegalArgumentException("Lstm.InferenceSession.run: expected input length "
                        + sBatch * sSteps * in + " and output length " + out.length + ", got " + x.length + " and " + dst.length);
            }
            final int batch = sBatch, steps = sSteps, h4 = 4 * hidden;
            float[] wd = w.value().data(), ud = u.value().data(), bd = b.value().data();
            ComputeBackend be = ComputeBackend.getDefault();
            java.util.Arrays.fill(hPrev, 0f);
            java.util.Arrays.fill(cPrev, 0f);
            for (int t = 0; t < steps; t++) {
                for (int n = 0; n < batch; n++) {
                    System.arraycopy(x, (n * steps + t) * in, xt, n * in, in);
                }
                for (int n = 0; n < batch; n++) {
                    System.arraycopy(bd, 0, z, n * h4, h4);
                }
                be.gemm(xt, 0, wd, 0, z, 0, batch, in, h4, true);
                be.gemm(hPrev, 0, ud, 0, z, 0, batch, hidden, h4, true);
                float[] c = cCur, h = hCur, cp = cPrev;
                for (int n = 0; n < batch; n++) {
                    int zb = n * h4;
                    for (int j = 0; j < hidden; j++) {
                        float ig = (float) Activations.sigmoid(z[zb + j]);
                        float fg = (float) Activations.sigmoid(z[zb + hidden + j]);
                        float gg = (float) Math.tanh(z[zb + 2 * hidden + j]);
                        float og = (float) Activations.sigmoid(z[zb + 3 * hidden + j]);
                        int k = n * hidden + j;
                        c[k] = fg * cp[k] + ig * gg;
                        h[k] = og * (float) Math.tanh(c[k]);
                    }
                }
                if (returnSequences) {
                    for (int n = 0; n < batch; n++) {
                        System.arraycopy(h, n * hidden, dst, (n * steps + t) * hidden, hidden);
                    }
                }
                cCur = cPrev;
                cPrev = c;
                hCur = hPrev;
                hPrev = h;
            }
            if (!returnSequences) {
                System.arraycopy(hPrev, 0, dst, 0, batch * hidden);
            }
        }
    }
}
