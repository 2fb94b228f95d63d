package dev.helix.nexus.agent.plot;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/** Reading plots back for assertions. */
final class PngAssertions {
    private PngAssertions() {
    }

    /** Reads {@code png} with ImageIO, asserting it is a decodable, non-blank image of the stacked-plot size. */
    static BufferedImage readPlot(Path png, int expectedHeight) throws IOException {
        assertThat(png).isRegularFile();
        assertThat(Files.size(png)).isPositive();
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).as("ImageIO decodes %s", png).isNotNull();
        assertThat(img.getWidth()).isEqualTo(StackedChart.WIDTH);
        assertThat(img.getHeight()).isEqualTo(expectedHeight);
        assertThat(distinctColours(img)).as("colours in %s", png).isGreaterThan(20);
        return img;
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                seen.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return seen.size();
    }

    /** The opaque colour a translucent {@code c} becomes when painted over white. */
    static int overWhite(Color c) {
        return over(c, 0xFFFFFF);
    }

    /** The opaque colour a translucent {@code c} becomes when painted over the opaque {@code below}. */
    static int over(Color c, int below) {
        double a = c.getAlpha() / 255.0;
        int r = (int) Math.round(c.getRed() * a + ((below >> 16) & 255) * (1 - a));
        int g = (int) Math.round(c.getGreen() * a + ((below >> 8) & 255) * (1 - a));
        int b = (int) Math.round(c.getBlue() * a + (below & 255) * (1 - a));
        return (r << 16) | (g << 8) | b;
    }

    /** How many pixels are within {@code tol} per channel of {@code rgb}. */
    static int count(BufferedImage img, int rgb, int tol) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs(((p >> 16) & 255) - ((rgb >> 16) & 255)) <= tol
                        && Math.abs(((p >> 8) & 255) - ((rgb >> 8) & 255)) <= tol
                        && Math.abs((p & 255) - (rgb & 255)) <= tol) {
                    n++;
                }
            }
        }
        return n;
    }
}
