package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import dev.helix.nexus.ml.internal.Checks;
import java.util.List;

/**
 * Fully connected affine layer {@code y = x W + b} with {@code W: [in, out]}, {@code b: [out]}.
 * Accepts input {@code [..., in]} (leading axes are flattened into a batch).
 *
 * <p>Backward: {@code dW += x^T dy}, {@code db += sum_rows dy}, {@code dx = dy W^T}.
 * Complexity O(batch*in*out) per pass. Weights use Xavier-uniform init. Not thread-safe.
 */
public final class Dense implements Layer {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor x2d;
    private int[] inShape;

    /** Creates a layer with Xavier-initialised weights (seeded) and zero bias. */
    public Dense(int in, int out, long seed) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Dense sizes must be positive: in=" + in + " out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = new Parameter("weight", Tensor.xavier(seed, in, out, in, out));
        this.bias = new Parameter("bias", Tensor.zeros(out));
    }

    /** Weight parameter {@code [in, out]}. */
    public Parameter weight() {
        return weight;
    }

    /** Bias parameter {@code [out]}. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        if (input.rank() < 1 || input.dim(-1) != in) {
            throw new dev.helix.nexus.ml.ShapeMismatchException("Dense.forward", input.shape(), weight.value().shape(),
                    "input last dim must equal weight rows " + in);
        }
        inShape = input.shape();
        x2d = input.reshape(-1, in);
        Tensor y = x2d.matmul(weight.value());
        float[] yd = y.data(), bd = bias.value().data();
        for (int r = 0; r < yd.length / out; r++) {
            for (int j = 0; j < out; j++) {
                yd[r * out + j] += bd[j];
            }
        }
        int[] os = inShape.clone();
        os[os.length - 1] = out;
        return y.reshape(os);
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Checks.forwarded(x2d, "Dense");
        Tensor g = gradOutput.reshape(-1, out);
        weight.grad().addInPlace(x2d.transpose().matmul(g));
        bias.grad().addInPlace(g.sum(0, false));
        return g.matmul(weight.value().transpose()).reshape(inShape);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
