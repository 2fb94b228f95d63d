package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import java.util.Objects;

/**
 * A trainable tensor paired with its gradient accumulator of the same shape. Layers add into
 * {@link #grad()} during {@code backward}; optimizers read it and update {@link #value()} in place.
 * Not thread-safe.
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;

    /** Creates a parameter with a zero gradient. */
    public Parameter(String name, Tensor value) {
        this.name = Objects.requireNonNull(name, "name");
        this.value = Objects.requireNonNull(value, "value");
        this.grad = Tensor.zeros(value.shape());
    }

    /** Local name (e.g. {@code weight}). */
    public String name() {
        return name;
    }

    /** The parameter values (mutated in place by optimizers). */
    public Tensor value() {
        return value;
    }

    /** Accumulated gradient. */
    public Tensor grad() {
        return grad;
    }

    /** Resets the gradient to zero. */
    public void zeroGrad() {
        grad.fill(0f);
    }

    @Override
    public String toString() {
        return "Parameter[" + name + ", " + java.util.Arrays.toString(value.shape()) + "]";
    }
}
