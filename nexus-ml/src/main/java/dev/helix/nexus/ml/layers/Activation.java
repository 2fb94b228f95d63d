package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Activations;
import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;

/**
 * Elementwise nonlinearity layer (ReLU, leaky ReLU, ELU, GELU, sigmoid, tanh) with exact
 * derivatives. O(size) per pass; no parameters. Not thread-safe (caches the last input).
 */
public final class Activation implements Layer {
    /** Supported nonlinearities. */
    public enum Kind { RELU, LEAKY_RELU, ELU, GELU, SIGMOID, TANH }

    private final Kind kind;
    private final float alpha;
    private Tensor x;
    private Tensor y;

    /** Creates an activation; {@code alpha} is the leaky slope / ELU alpha (ignored otherwise). */
    public Activation(Kind kind, float alpha) {
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.alpha = alpha;
    }

    /** Creates an activation with alpha 0.01 (leaky) or 1.0 (ELU). */
    public Activation(Kind kind) {
        this(kind, kind == Kind.LEAKY_RELU ? 0.01f : 1f);
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        x = input;
        y = switch (kind) {
            case RELU -> input.relu();
            case LEAKY_RELU -> input.leakyRelu(alpha);
            case ELU -> input.elu(alpha);
            case GELU -> input.gelu();
            case SIGMOID -> input.sigmoid();
            case TANH -> input.tanh();
        };
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(x, "Activation");
        Checks.same("Activation.backward", gradOutput, y);
        float[] g = gradOutput.data(), xd = x.data(), yd = y.data();
        float[] dx = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            double d = switch (kind) {
                case RELU -> xd[i] > 0 ? 1 : 0;
                case LEAKY_RELU -> xd[i] > 0 ? 1 : alpha;
                case ELU -> xd[i] > 0 ? 1 : yd[i] + alpha;
                case GELU -> Activations.geluGrad(xd[i]);
                case SIGMOID -> yd[i] * (1 - yd[i]);
                case TANH -> 1 - yd[i] * yd[i];
            };
            dx[i] = (float) (g[i] * d);
        }
        return Tensor.fromData(dx, x.shape());
    }
}
