package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch normalisation (Ioffe &amp; Szegedy 2015) over channel axis 1 of {@code [N, C]} or
 * {@code [N, C, L]} input: {@code y = γ (x - μ) / sqrt(σ² + ε) + β}. In training μ, σ² are the
 * batch statistics (biased variance) and running estimates are updated with
 * {@code r = (1 - momentum) r + momentum * stat} (unbiased variance for the running estimate); in
 * evaluation the running estimates are used. Backward uses the closed form
 * {@code dx = (1/M) invstd (M dx̂ - Σdx̂ - x̂ Σ(dx̂ x̂))}. O(size) per pass. Not thread-safe.
 */
public final class BatchNorm implements Layer {
    private final int channels;
    private final float eps;
    private final float momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private Tensor xhat;
    private float[] invStd;
    private boolean lastTraining;
    private int[] inShape;

    /** Creates a batch-norm layer with ε = 1e-5 and momentum 0.1. */
    public BatchNorm(int channels) {
        this(channels, 1e-5f, 0.1f);
    }

    /** Creates a batch-norm layer. */
    public BatchNorm(int channels, float eps, float momentum) {
        if (channels <= 0 || eps <= 0 || momentum < 0 || momentum > 1) {
            throw new IllegalArgumentException("invalid BatchNorm config: channels=" + channels + " eps=" + eps
                    + " momentum=" + momentum);
        }
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.gamma = new Parameter("gamma", Tensor.ones(channels));
        this.beta = new Parameter("beta", Tensor.zeros(channels));
        this.runningMean = Tensor.zeros(channels);
        this.runningVar = Tensor.ones(channels);
    }

    /** Running mean estimate (live view). */
    public Tensor runningMean() {
        return runningMean;
    }

    /** Running variance estimate (live view). */
    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        if ((input.rank() != 2 && input.rank() != 3) || input.dim(1) != channels) {
            throw new dev.helix.nexus.ml.ShapeMismatchException("BatchNorm.forward", input.shape(),
                    new int[] {-1, channels}, "expected [N, C] or [N, C, L] with C=" + channels);
        }
        inShape = input.shape();
        int n = inShape[0], len = input.rank() == 3 ? inShape[2] : 1;
        int m = n * len;
        if (training && m < 2) {
            throw new IllegalArgumentException("BatchNorm in training needs more than one value per channel, got shape "
                    + java.util.Arrays.toString(inShape));
        }
        float[] x = input.data();
        float[] xh = new float[x.length];
        float[] y = new float[x.length];
        invStd = new float[channels];
        float[] g = gamma.value().data(), bt = beta.value().data();
        float[] rm = runningMean.data(), rv = runningVar.data();
        for (int c = 0; c < channels; c++) {
            double mean, var;
            if (training) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    for (int l = 0; l < len; l++) {
                        s += x[(b * channels + c) * len + l];
                    }
                }
                mean = s / m;
                double v = 0;
                for (int b = 0; b < n; b++) {
                    for (int l = 0; l < len; l++) {
                        double d = x[(b * channels + c) * len + l] - mean;
                        v += d * d;
                    }
                }
                var = v / m;
                rm[c] = (float) ((1 - momentum) * rm[c] + momentum * mean);
                rv[c] = (float) ((1 - momentum) * rv[c] + momentum * var * m / (m - 1));
            } else {
                mean = rm[c];
                var = rv[c];
            }
            float is = (float) (1 / Math.sqrt(var + eps));
            invStd[c] = is;
            for (int b = 0; b < n; b++) {
                for (int l = 0; l < len; l++) {
                    int i = (b * channels + c) * len + l;
                    xh[i] = (float) ((x[i] - mean) * is);
                    y[i] = g[c] * xh[i] + bt[c];
                }
            }
        }
        xhat = Tensor.fromData(xh, inShape);
        lastTraining = training;
        return Tensor.fromData(y, inShape);
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(xhat, "BatchNorm");
        Checks.same("BatchNorm.backward", gradOutput, xhat);
        int n = inShape[0], len = inShape.length == 3 ? inShape[2] : 1, m = n * len;
        float[] dy = gradOutput.data(), xh = xhat.data(), g = gamma.value().data();
        float[] dg = gamma.grad().data(), dbt = beta.grad().data();
        float[] dx = new float[dy.length];
        for (int c = 0; c < channels; c++) {
            double sumDy = 0, sumDyXh = 0;
            for (int b = 0; b < n; b++) {
                for (int l = 0; l < len; l++) {
                    int i = (b * channels + c) * len + l;
                    sumDy += dy[i];
                    sumDyXh += dy[i] * xh[i];
                }
            }
            dg[c] += (float) sumDyXh;
            dbt[c] += (float) sumDy;
            for (int b = 0; b < n; b++) {
                for (int l = 0; l < len; l++) {
                    int i = (b * channels + c) * len + l;
                    if (lastTraining) {
                        dx[i] = (float) (g[c] * invStd[c] / m * (m * dy[i] - sumDy - xh[i] * sumDyXh));
                    } else {
                        dx[i] = g[c] * invStd[c] * dy[i];
                    }
                }
            }
        }
        return Tensor.fromData(dx, inShape);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("running_mean", runningMean);
        m.put("running_var", runningVar);
        return m;
    }
}
