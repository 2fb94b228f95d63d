package dev.helix.nexus.agent.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.helix.nexus.detect.behavior.BehaviorPattern;
import dev.helix.nexus.detect.behavior.BehaviorSubject;
import org.junit.jupiter.api.Test;

class LivePatternsTest {

    @Test
    void badSizesAreRefusedByName() {
        assertThatThrownBy(() -> new LivePatterns(9, 5, 5, 0)).hasMessageContaining("window");
        assertThatThrownBy(() -> new LivePatterns(30, 0, 5, 0)).hasMessageContaining("every");
        assertThatThrownBy(() -> new LivePatterns(30, 31, 5, 0)).hasMessageContaining("every");
        assertThatThrownBy(() -> new LivePatterns(30, 10, 0, 0)).hasMessageContaining("top");
    }

    @Test
    void anUnseenSubjectIsNormal() {
        assertThat(LivePatterns.standard().state(BehaviorSubject.HOST)).isEqualTo(BehaviorPattern.NORMAL);
    }

    @Test
    void patternLabelsAreWrittenAsTheDocsWriteThem() {
        assertThat(LivePatterns.label(BehaviorPattern.CPU_BOUND)).isEqualTo("CpuBound");
        assertThat(LivePatterns.label(BehaviorPattern.RESOURCE_LEAK)).isEqualTo("ResourceLeak");
    }
}
