package dev.helix.nexus.ml.optim;

import dev.helix.nexus.ml.layers.Parameter;
import java.util.List;

/**
 * What every optimizer here shares: the fixed parameter list (copied), the current learning rate, and per-parameter
 * state arrays laid out like the parameters. Subclasses validate their configuration (in the argument of the
 * {@code super} call, so a bad configuration is reported before anything else) and implement {@link #step()}.
 * Not thread-safe.
 */
abstract class ParameterOptimizer implements Optimizer {
    final List<Parameter> params;
    double lr;

    ParameterOptimizer(List<Parameter> params, double lr) {
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** One zeroed array per parameter, each of that parameter's size (moments, velocities, sums of squares). */
    final float[][] perParameterState() {
        float[][] state = new float[params.size()][];
        for (int i = 0; i < state.length; i++) {
            state[i] = new float[params.get(i).value().size()];
        }
        return state;
    }

    @Override
    public final List<Parameter> parameters() {
        return params;
    }

    @Override
    public final double learningRate() {
        return lr;
    }

    @Override
    public final void setLearningRate(double lr) {
        this.lr = lr;
    }
}
