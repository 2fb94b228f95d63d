package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import java.util.List;
import java.util.Map;

/**
 * A differentiable network layer with an explicit (hand-derived) backward pass.
 *
 * <p>Contract: {@link #forward} caches whatever it needs; the following {@link #backward} call
 * receives dLoss/dOutput, <em>accumulates</em> dLoss/dParameter into each {@link Parameter#grad()},
 * and returns dLoss/dInput. {@code forward} may keep a reference to its input (no copy), so callers
 * must not mutate the input tensor before the matching {@code backward}. Layers are stateful and
 * not thread-safe.
 */
public interface Layer {
    /** Forward pass; {@code training} selects training behaviour (dropout masks, batch stats). */
    Tensor forward(Tensor input, boolean training);

    /** Backward pass for the most recent forward call. */
    Tensor backward(Tensor gradOutput);

    /** Trainable parameters, in a stable order. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /** Non-trainable persistent state (e.g. running statistics), by local name. */
    default Map<String, Tensor> buffers() {
        return Map.of();
    }
}
