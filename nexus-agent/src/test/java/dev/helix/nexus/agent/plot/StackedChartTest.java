package dev.helix.nexus.agent.plot;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class StackedChartTest {

    @Test
    void runsAreTheMaximalStretchesOfTrue() {
        boolean[] on = {true, true, false, false, true, false, true, true, true};
        assertThat(StackedChart.runs(on, i -> 10 * i)).containsExactly(new double[] {0, 10}, new double[] {40, 40},
                new double[] {60, 80});
        assertThat(StackedChart.runs(new boolean[3], i -> i)).isEmpty();
    }

    @Test
    void paddedRangeAddsFivePercentAndSurvivesConstantAndEmptySeries() {
        assertThat(StackedChart.paddedRange(new double[] {0, 10, Double.NaN})).containsExactly(-0.5, 10.5);
        double[] constant = StackedChart.paddedRange(new double[] {4, 4});
        assertThat(constant[0]).isLessThan(4);
        assertThat(constant[1]).isGreaterThan(4);
        assertThat(StackedChart.paddedRange(new double[] {Double.NaN})).containsExactly(0, 1);
    }

    @Test
    void stackedPanelsShareTheirPlotAreaEdgesWhateverTheirTickLabelWidths() {
        // translucent, so the spans (over white) differ from their legend square (alpha doubled)
        Color marker = new Color(0, 200, 0, 120);
        double[] x = {0, 1, 2, 3, 4};
        StackedChart.Panel narrow = StackedChart.panel(300, "t", "y", null);
        StackedChart.line(narrow.chart, "small", List.of(0.0, 1.0, 2.0, 3.0, 4.0), new double[] {0, 1, 0, 1, 0},
                Color.BLUE, 1f);
        StackedChart.yRange(narrow, 0, 1);
        StackedChart.Panel wide = StackedChart.panel(300, null, "a much longer axis title", "x");
        StackedChart.line(wide.chart, "large with a long legend label", List.of(0.0, 1.0, 2.0, 3.0, 4.0),
                new double[] {0, 1.2e9, 3e9, 1e9, 2e9}, Color.BLUE, 1f);
        StackedChart.yRange(wide, -1e9, 4e9);
        for (StackedChart.Panel p : List.of(narrow, wide)) {
            StackedChart.shade(p, "everything", List.<double[]>of(new double[] {x[0], x[4]}), marker, 0.5);
        }
        List<StackedChart.Panel> panels = List.of(narrow, wide);
        StackedChart.xRange(panels, 0, 4);
        BufferedImage img = StackedChart.render(panels, 0, 4);
        assertThat(img.getHeight()).isEqualTo(600);
        int[] top = edges(img, 150, PngAssertions.overWhite(marker));
        int[] bottom = edges(img, 450, PngAssertions.overWhite(marker));
        assertThat(top[1] - top[0]).as("plot width").isGreaterThan(StackedChart.WIDTH / 2);
        assertThat(bottom[0]).isBetween(top[0] - 1, top[0] + 1);
        assertThat(bottom[1]).isBetween(top[1] - 1, top[1] + 1);
    }

    /** First and last column of row {@code y} painted in {@code rgb}. */
    private static int[] edges(BufferedImage img, int y, int rgb) {
        int first = -1;
        int last = -1;
        for (int x = 0; x < img.getWidth(); x++) {
            int p = img.getRGB(x, y);
            if (Math.abs(((p >> 16) & 255) - ((rgb >> 16) & 255)) <= 1 && Math.abs(((p >> 8) & 255) - ((rgb >> 8) & 255)) <= 1
                    && Math.abs((p & 255) - (rgb & 255)) <= 1) {
                if (first < 0) {
                    first = x;
                }
                last = x;
            }
        }
        assertThat(first).as("row %d has the marker colour", y).isNotNegative();
        return new int[] {first, last};
    }
}
