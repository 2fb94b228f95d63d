package dev.helix.nexus.ml.layers;

import dev.helix.nexus.ml.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ordered chain of layers with a parameter registry and a train/eval mode flag. Forward runs
 * layers first-to-last; backward runs them last-to-first. Parameters and buffers are registered
 * under {@code "<index>.<localName>"}, a stable naming used by model persistence. Cost is the sum of
 * the layers' costs. Not thread-safe.
 */
public final class Sequential implements Layer {
    private final List<Layer> layers;
    private boolean training = true;

    /** Creates a container from layers. */
    public Sequential(Layer... layers) {
        this.layers = new ArrayList<>(List.of(layers));
    }

    /** Appends a layer; returns this. */
    public Sequential add(Layer layer) {
        layers.add(java.util.Objects.requireNonNull(layer, "layer"));
        return this;
    }

    /** Unmodifiable view of the layers. */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** Switches to training mode. */
    public Sequential train() {
        training = true;
        return this;
    }

    /** Switches to evaluation mode. */
    public Sequential eval() {
        training = false;
        return this;
    }

    /** Current mode. */
    public boolean isTraining() {
        return training;
    }

    /** Forward pass in the current mode. */
    public Tensor forward(Tensor input) {
        return forward(input, training);
    }

    @Override
    public Tensor forward(Tensor input, boolean train) {
        Tensor t = input;
        for (Layer l : layers) {
            t = l.forward(t, train);
        }
        return t;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Tensor g = gradOutput;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g);
        }
        return g;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (Layer l : layers) {
            ps.addAll(l.parameters());
        }
        return ps;
    }

    /** Parameters keyed by {@code "<index>.<name>"} (nested containers add their own prefixes). */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof Sequential s) {
                for (var e : s.namedParameters().entrySet()) {
                    m.put(i + "." + e.getKey(), e.getValue());
                }
            } else {
                for (Parameter p : l.parameters()) {
                    m.put(i + "." + p.name(), p);
                }
            }
        }
        return m;
    }

    @Override
    public Map<String, Tensor> buffers() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (var e : layers.get(i).buffers().entrySet()) {
                m.put(i + "." + e.getKey(), e.getValue());
            }
        }
        return m;
    }

    /** All persistent tensors (parameters then buffers) by registered name. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        namedParameters().forEach((k, v) -> m.put(k, v.value()));
        m.putAll(buffers());
        return m;
    }

    /** Zeroes every parameter gradient. */
    public void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }
}
