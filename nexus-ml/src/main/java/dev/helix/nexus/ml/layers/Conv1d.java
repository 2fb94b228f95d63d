package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;
import java.util.List;

/**
 * 1-D convolution (cross-correlation, as in deep-learning libraries) over input
 * {@code [batch, inChannels, length]} with weight {@code [outChannels, inChannels, kernel]},
 * bias {@code [outChannels]}, stride, zero padding and dilation:
 * {@code y[n,o,t] = b[o] + sum_{c,k} W[o,c,k] x[n,c,t*stride + k*dilation - padding]}.
 * Output length {@code floor((L + 2p - d(K-1) - 1)/s) + 1}.
 *
 * <p>Direct algorithm; complexity O(batch*out*in*K*Lout) per pass. He-normal init. Not
 * thread-safe.
 */
public final class Conv1d implements Layer {
    private final int inCh;
    private final int outCh;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor x;

    /** Creates a convolution with seeded He-normal weights and zero bias. */
    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, long seed) {
        if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0 || dilation <= 0) {
            throw new IllegalArgumentException("invalid Conv1d config: in=" + inChannels + " out=" + outChannels
                    + " k=" + kernel + " s=" + stride + " p=" + padding + " d=" + dilation);
        }
        this.inCh = inChannels;
        this.outCh = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.weight = new Parameter("weight", Tensor.he(seed, inChannels * kernel, outChannels, inChannels, kernel));
        this.bias = new Parameter("bias", Tensor.zeros(outChannels));
    }

    /** Output length for an input length. */
    public int outputLength(int length) {
        return (length + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        Checks.shape("Conv1d.forward", input, -1, inCh, -1);
        x = input;
        int n = input.dim(0), len = input.dim(2), lout = outputLength(len);
        if (lout <= 0) {
            throw new IllegalArgumentException("Conv1d: input length " + len + " too short for kernel " + kernel
                    + " dilation " + dilation + " padding " + padding);
        }
        float[] xd = input.data(), wd = weight.value().data(), bd = bias.value().data();
        float[] y = new float[n * outCh * lout];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < outCh; o++) {
                int yb = (b * outCh + o) * lout;
                for (int t = 0; t < lout; t++) {
                    double s = bd[o];
                    for (int c = 0; c < inCh; c++) {
                        int xb = (b * inCh + c) * len, wb = (o * inCh + c) * kernel;
                        for (int k = 0; k < kernel; k++) {
                            int pos = t * stride + k * dilation - padding;
                            if (pos >= 0 && pos < len) {
                                s += wd[wb + k] * xd[xb + pos];
                            }
                        }
                    }
                    y[yb + t] = (float) s;
                }
            }
        }
        return Tensor.fromData(y, n, outCh, lout);
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(x, "Conv1d");
        int n = x.dim(0), len = x.dim(2), lout = outputLength(len);
        Checks.shape("Conv1d.backward", gradOutput, n, outCh, lout);
        float[] xd = x.data(), wd = weight.value().data(), g = gradOutput.data();
        float[] dw = weight.grad().data(), db = bias.grad().data();
        float[] dx = new float[xd.length];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < outCh; o++) {
                int gb = (b * outCh + o) * lout;
                for (int t = 0; t < lout; t++) {
                    float gv = g[gb + t];
                    db[o] += gv;
                    for (int c = 0; c < inCh; c++) {
                        int xb = (b * inCh + c) * len, wb = (o * inCh + c) * kernel;
                        for (int k = 0; k < kernel; k++) {
                            int pos = t * stride + k * dilation - padding;
                            if (pos >= 0 && pos < len) {
                                dw[wb + k] += gv * xd[xb + pos];
                                dx[xb + pos] += gv * wd[wb + k];
                            }
                        }
                    }
                }
            }
        }
        return Tensor.fromData(dx, x.shape());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
