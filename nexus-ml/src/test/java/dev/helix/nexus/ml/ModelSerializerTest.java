package dev.helix.nexus.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.helix.nexus.ml.io.ModelFormatException;
import dev.helix.nexus.ml.io.ModelSerializer;
import dev.helix.nexus.ml.layers.BatchNorm;
import dev.helix.nexus.ml.layers.Dense;
import dev.helix.nexus.ml.layers.Lstm;
import dev.helix.nexus.ml.layers.Sequential;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSerializerTest {
    @TempDir
    Path dir;

    private static Sequential model(long seed) {
        return new Sequential(new Lstm(2, 3, false, seed), new Dense(3, 2, seed + 1), new BatchNorm(2));
    }

    @Test
    void roundTripRestoresIdenticalOutputs() throws Exception {
        Sequential a = model(1);
        a.forward(Tensor.random(5, 4, 3, 2), true); // moves BatchNorm running stats
        Path f = dir.resolve("m.nxml");
        ModelSerializer.save(a, f);
        Sequential b = model(2);
        Tensor x = Tensor.random(6, 4, 3, 2);
        assertThat(b.eval().forward(x).data()).isNotEqualTo(a.eval().forward(x).data());
        ModelSerializer.loadInto(b, f);
        assertThat(b.eval().forward(x).data()).containsExactly(a.eval().forward(x).data());
        assertThat(ModelSerializer.load(f).keySet()).containsExactly("0.w", "0.u", "0.b", "1.weight", "1.bias",
                "2.gamma", "2.beta", "2.running_mean", "2.running_var");
    }

    @Test
    void corruptFileIsRejectedByChecksum() throws Exception {
        byte[] bytes = ModelSerializer.toBytes(model(1).stateDict());
        bytes[40] ^= 0x10;
        assertThatThrownBy(() -> ModelSerializer.fromBytes(bytes))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("checksum mismatch");
    }

    @Test
    void wrongVersionBadMagicAndTruncationAreRejected() throws Exception {
        byte[] bytes = ModelSerializer.toBytes(model(1).stateDict());
        byte[] v2 = bytes.clone();
        v2[7] = 2;
        assertThatThrownBy(() -> ModelSerializer.fromBytes(v2))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("unsupported model format version 2");
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> ModelSerializer.fromBytes(magic)).hasMessageContaining("bad magic");
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 9);
        assertThatThrownBy(() -> ModelSerializer.fromBytes(cut)).isInstanceOf(ModelFormatException.class);
        assertThatThrownBy(() -> ModelSerializer.fromBytes(new byte[3])).hasMessageContaining("too short");
    }

    @Test
    void shapeOrNameMismatchOnLoadIsExplained() throws Exception {
        Path f = dir.resolve("m.nxml");
        ModelSerializer.save(model(1), f);
        Sequential other = new Sequential(new Lstm(2, 4, false, 1), new Dense(4, 2, 2), new BatchNorm(2));
        assertThatThrownBy(() -> ModelSerializer.loadInto(other, f))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("0.w").hasMessageContaining("[2, 12]")
                .hasMessageContaining("[2, 16]");
        Sequential fewer = new Sequential(new Dense(3, 2, 1));
        assertThatThrownBy(() -> ModelSerializer.loadInto(fewer, f)).hasMessageContaining("do not match");
    }

    /**
     * {@code golden/model-v1.nxml} was written once by format version 1 (ModelSerializer.toBytes) from
     * exactly these tensors: 0.weight[3,2] = i*0.25-0.5, 0.bias = [0.125, -0.375], 1.gamma = [2, 0.5],
     * 1.beta = [1, -1], 1.running_mean = [0.5, -0.25], 1.running_var = [4, 0.25]. It must keep loading.
     */
    @Test
    void goldenVersion1FileLoads() throws Exception {
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("/golden/model-v1.nxml")) {
            assertThat(in).as("golden file on classpath").isNotNull();
            bytes = in.readAllBytes();
        }
        Map<String, Tensor> state = ModelSerializer.fromBytes(bytes);
        assertThat(state.get("0.weight").shape()).containsExactly(3, 2);
        assertThat(state.get("0.weight").data()).containsExactly(-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f);
        assertThat(state.get("1.running_var").data()).containsExactly(4f, 0.25f);
        Sequential net = new Sequential(new Dense(3, 2, 99), new BatchNorm(2));
        ModelSerializer.loadInto(net, state);
        Tensor y = net.eval().forward(Tensor.of(new double[] {1, 2, 3}, 1, 3));
        // Dense: [1,2,3]W + b = [1.125, 2.125]; BN eval: 2*(1.125-0.5)/2 + 1, 0.5*(2.125+0.25)/0.5 - 1
        assertThat(y.data()[0]).isCloseTo(1.625f, within(1e-4f));
        assertThat(y.data()[1]).isCloseTo(1.375f, within(1e-4f));
        // re-serialising reproduces the committed bytes exactly (format is stable)
        assertThat(ModelSerializer.toBytes(state)).containsExactly(bytes);
        Path copy = dir.resolve("g.nxml");
        Files.write(copy, bytes);
        assertThat(ModelSerializer.load(copy)).hasSize(6);
    }
}
