package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;
import java.util.List;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017). Input and output
 * {@code [batch, T, model]}; with {@code Q = XW_q + b_q}, {@code K = XW_k + b_k},
 * {@code V = XW_v + b_v} split into {@code heads} slices of width {@code d_k = model/heads},
 * each head computes {@code softmax(Q_h K_h^T / sqrt(d_k) + M) V_h} where the optional causal
 * mask {@code M} is {@code -inf} above the diagonal; heads are concatenated and projected by
 * {@code W_o, b_o}.
 *
 * <p>Backward is the exact gradient, including the softmax Jacobian
 * {@code dS = P ⊙ (dP - rowsum(dP ⊙ P))}. Complexity O(batch*(T*model² + heads*T²*d_k)); memory
 * O(batch*heads*T²). Xavier-uniform init. Not thread-safe.
 */
public final class MultiHeadAttention implements Layer {
    private final int model;
    private final int heads;
    private final int dk;
    private final boolean causal;
    private final Parameter wq, wk, wv, wo, bq, bk, bv, bo;

    private int batch;
    private int steps;
    private Tensor x2;
    private float[] q, k, v, p, o;

    /** Creates an attention layer; {@code model} must be divisible by {@code heads}. */
    public MultiHeadAttention(int model, int heads, boolean causal, long seed) {
        if (model <= 0 || heads <= 0 || model % heads != 0) {
            throw new IllegalArgumentException("model size " + model + " must be a positive multiple of heads " + heads);
        }
        this.model = model;
        this.heads = heads;
        this.dk = model / heads;
        this.causal = causal;
        wq = new Parameter("wq", Tensor.xavier(seed, model, model, model, model));
        wk = new Parameter("wk", Tensor.xavier(seed + 1, model, model, model, model));
        wv = new Parameter("wv", Tensor.xavier(seed + 2, model, model, model, model));
        wo = new Parameter("wo", Tensor.xavier(seed + 3, model, model, model, model));
        bq = new Parameter("bq", Tensor.zeros(model));
        bk = new Parameter("bk", Tensor.zeros(model));
        bv = new Parameter("bv", Tensor.zeros(model));
        bo = new Parameter("bo", Tensor.zeros(model));
    }

    private static float[] affine(Tensor x, Parameter w, Parameter b) {
        float[] y = x.matmul(w.value()).data();
        float[] bd = b.value().data();
        for (int i = 0; i < y.length; i++) {
            y[i] += bd[i % bd.length];
        }
        return y;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        Checks.shape("MultiHeadAttention.forward", input, -1, -1, model);
        batch = input.dim(0);
        steps = input.dim(1);
        x2 = input.reshape(batch * steps, model);
        q = affine(x2, wq, bq);
        k = affine(x2, wk, bk);
        v = affine(x2, wv, bv);
        p = new float[batch * heads * steps * steps];
        o = new float[batch * steps * model];
        double scale = 1 / Math.sqrt(dk);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int pb = (b * heads + h) * steps * steps;
                for (int i = 0; i < steps; i++) {
                    int qi = (b * steps + i) * model + h * dk;
                    int lim = causal ? i + 1 : steps;
                    double mx = Double.NEGATIVE_INFINITY;
                    double[] s = new double[lim];
                    for (int j = 0; j < lim; j++) {
                        int kj = (b * steps + j) * model + h * dk;
                        double acc = 0;
                        for (int d = 0; d < dk; d++) {
                            acc += q[qi + d] * k[kj + d];
                        }
                        s[j] = acc * scale;
                        mx = Math.max(mx, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < lim; j++) {
                        s[j] = Math.exp(s[j] - mx);
                        z += s[j];
                    }
                    for (int j = 0; j < lim; j++) {
                        float pij = (float) (s[j] / z);
                        p[pb + i * steps + j] = pij;
                        int vj = (b * steps + j) * model + h * dk;
                        for (int d = 0; d < dk; d++) {
                            o[qi + d] += pij * v[vj + d];
                        }
                    }
                }
            }
        }
        Tensor out = Tensor.fromData(affine(Tensor.fromData(o, batch * steps, model), wo, bo), batch, steps, model);
        return out;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(x2, "MultiHeadAttention");
        Checks.shape("MultiHeadAttention.backward", gradOutput, batch, steps, model);
        Tensor dy = gradOutput.reshape(batch * steps, model);
        Tensor oT = Tensor.fromData(o, batch * steps, model);
        wo.grad().addInPlace(oT.transpose().matmul(dy));
        bo.grad().addInPlace(dy.sum(0, false));
        float[] dO = dy.matmul(wo.value().transpose()).data();
        float[] dq = new float[q.length], dkk = new float[k.length], dv = new float[v.length];
        double scale = 1 / Math.sqrt(dk);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int pb = (b * heads + h) * steps * steps;
                for (int i = 0; i < steps; i++) {
                    int qi = (b * steps + i) * model + h * dk;
                    int lim = causal ? i + 1 : steps;
                    double[] dp = new double[lim];
                    double dot = 0;
                    for (int j = 0; j < lim; j++) {
                        int vj = (b * steps + j) * model + h * dk;
                        double acc = 0;
                        float pij = p[pb + i * steps + j];
                        for (int d = 0; d < dk; d++) {
                            acc += dO[qi + d] * v[vj + d];
                            dv[vj + d] += pij * dO[qi + d];
                        }
                        dp[j] = acc;
                        dot += acc * pij;
                    }
                    for (int j = 0; j < lim; j++) {
                        float ds = (float) (p[pb + i * steps + j] * (dp[j] - dot) * scale);
                        int kj = (b * steps + j) * model + h * dk;
                        for (int d = 0; d < dk; d++) {
                            dq[qi + d] += ds * k[kj + d];
                            dkk[kj + d] += ds * q[qi + d];
                        }
                    }
                }
            }
        }
        Tensor dQ = Tensor.fromData(dq, batch * steps, model);
        Tensor dK = Tensor.fromData(dkk, batch * steps, model);
        Tensor dV = Tensor.fromData(dv, batch * steps, model);
        Tensor xT = x2.transpose();
        wq.grad().addInPlace(xT.matmul(dQ));
        wk.grad().addInPlace(xT.matmul(dK));
        wv.grad().addInPlace(xT.matmul(dV));
        bq.grad().addInPlace(dQ.sum(0, false));
        bk.grad().addInPlace(dK.sum(0, false));
        bv.grad().addInPlace(dV.sum(0, false));
        Tensor dx = dQ.matmul(wq.value().transpose())
                .addInPlace(dK.matmul(wk.value().transpose()))
                .addInPlace(dV.matmul(wv.value().transpose()));
        return dx.reshape(batch, steps, model);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(wq, bq, wk, bk, wv, bv, wo, bo);
    }
}
