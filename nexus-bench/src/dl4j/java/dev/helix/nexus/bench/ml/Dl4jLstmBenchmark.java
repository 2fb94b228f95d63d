package dev.helix.nexus.bench.ml;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DL4J 1.0.0-M2.1 (nd4j-native, CPU) counterpart of {@link LstmIssueBenchmark}: LSTM(16 -> 64,
 * tanh, sigmoid gates) + RnnOutputLayer(64 -> 1, identity, MSE), Adam(1e-3), float32, batch 32,
 * sequence 64. Threads are pinned to 1 (OMP_NUM_THREADS=1 in the forked JVM's environment is
 * set by the caller; here we also set the nd4j/OpenBLAS thread properties). Only compiled in the
 * {@code dl4j} Maven profile.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bytedeco.openblas.nthreads=1", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"})
@Threads(1)
public class Dl4jLstmBenchmark {
    private MultiLayerNetwork net;
    private INDArray x;
    private INDArray y;

    @Setup
    public void setup() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(1e-3))
                .list()
                .layer(new LSTM.Builder().nIn(LstmIssueBenchmark.IN).nOut(LstmIssueBenchmark.HIDDEN)
                        .activation(Activation.TANH).gateActivationFunction(Activation.SIGMOID).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nIn(LstmIssueBenchmark.HIDDEN).nOut(1).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        // DL4J's default RNN layout is NCW: [batch, features, time]
        x = Nd4j.rand(DataType.FLOAT, LstmIssueBenchmark.BATCH, LstmIssueBenchmark.IN, LstmIssueBenchmark.STEPS).subi(0.5).muli(2);
        y = Nd4j.rand(DataType.FLOAT, LstmIssueBenchmark.BATCH, 1, LstmIssueBenchmark.STEPS).subi(0.5).muli(2);
    }

    /** One fit() call on a single minibatch: forward, MSE, BPTT backward, Adam update. */
    @Benchmark
    public double dl4jTrainStep() {
        net.fit(x, y);
        return net.score();
    }

    /** Inference of the LSTM+head on one window. */
    @Benchmark
    public INDArray dl4jInfer() {
        return net.output(x, false);
    }
}
