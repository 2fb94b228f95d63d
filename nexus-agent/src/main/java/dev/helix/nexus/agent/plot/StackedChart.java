package dev.helix.nexus.agent.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Panels (one XChart {@link XYChart} each) stacked vertically into one PNG, with their plot areas' left and right
 * edges aligned so that panels sharing an x axis line up even when their y tick labels differ in width; plus the
 * project's plot style (colours, fonts, shaded x spans, marked points, horizontal reference lines). Shaded spans
 * are painted behind the chart (XChart's area series fill only down to zero, not to the plot's bottom), so the
 * panels' chart and plot backgrounds are transparent over a white image.
 *
 * <p>Rendering cost is O(points) per panel, done twice (one measuring pass). Not thread-safe per chart; distinct
 * charts may be rendered from distinct threads.
 */
final class StackedChart {
    /** Width of every plot, in pixels. */
    static final int WIDTH = 1600;

    static final Color SERIES = new Color(31, 78, 140);
    static final Color SCORE = new Color(90, 60, 150);
    static final Color ALERT = new Color(214, 39, 40);
    static final Color ALERT_BAND = new Color(214, 39, 40, 200);
    /** Alerts get point markers only up to this many (beyond, markers hide the series; the alert band remains). */
    static final int MAX_MARKERS = 200;
    /** Height of the alert band along a panel's top edge, as a fraction of the plot height. */
    static final double ALERT_BAND_HEIGHT = 0.035;
    static final Color THRESHOLD = new Color(214, 39, 40, 170);
    static final Color LABEL_FILL = new Color(255, 170, 40, 80);
    static final Color PROBATION_FILL = new Color(120, 120, 120, 45);
    static final Color TRANSPARENT = new Color(255, 255, 255, 0);
    static final Color[] DIMENSIONS = {new Color(31, 78, 140), new Color(44, 160, 44), new Color(140, 86, 75)};

    private StackedChart() {
    }

    /** Puts AWT into headless mode unless the user chose otherwise; call before the first AWT class is used. */
    static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * An x interval {@code [x0, x1]} (data space) shaded over a band of the plot's height, given as fractions from
     * the plot's top: {@code [0, 1]} is the full height.
     */
    record Span(double x0, double x1, Color fill, double fromTop, double toTop) {
    }

    /** One chart plus the spans shaded behind it. Not thread-safe. */
    static final class Panel {
        final XYChart chart;
        final List<Span> spans = new ArrayList<>();

        Panel(XYChart chart) {
            this.chart = chart;
        }
    }

    /**
     * A styled empty panel.
     *
     * @param height panel height in pixels
     * @param title  chart title, or {@code null} for none
     * @param yTitle y-axis title
     * @param xTitle x-axis title, or {@code null} to hide the x-axis tick labels (a panel above another)
     */
    static Panel panel(int height, String title, String yTitle, String xTitle) {
        headless();
        XYChart c = new XYChart(WIDTH, height);
        c.setTitle(title == null ? "" : title);
        c.setYAxisTitle(yTitle);
        c.setXAxisTitle(xTitle == null ? "" : xTitle);
        XYStyler s = c.getStyler();
        s.setChartTitleVisible(title != null);
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setXAxisTitleVisible(xTitle != null);
        s.setXAxisTicksVisible(xTitle != null);
        s.setChartBackgroundColor(TRANSPARENT);
        s.setPlotBackgroundColor(TRANSPARENT);
        s.setLegendBackgroundColor(Color.WHITE);
        s.setPlotContentSize(1.0);
        s.setPlotBorderColor(Color.GRAY);
        s.setPlotGridLinesColor(new Color(225, 225, 225));
        s.setPlotMargin(0);
        s.setChartPadding(8);
        // a vertical legend right of the plot: XChart's horizontal legend crowds a line entry's swatch against the
        // previous label; the differing legend widths of stacked panels are absorbed by render()'s alignment
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendPadding(8);
        s.setLegendSeriesLineLength(28);
        s.setMarkerSize(7);
        s.setAntiAlias(true);
        s.setLocale(Locale.ROOT);
        s.setTimezone(TimeZone.getTimeZone("UTC"));
        s.setDatePattern("yyyy-MM-dd");
        return new Panel(c);
    }

    /** Adds a plain line series (thin, no markers); {@code NaN} values leave gaps. */
    static XYSeries line(XYChart c, String name, List<?> x, double[] y, Color color, float width) {
        XYSeries s = c.addSeries(name, x, boxed(y));
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(width));
        return s;
    }

    /**
     * Shades each span {@code [spans[i][0], spans[i][1]]} (data space) over the full plot height, with one legend
     * entry (a square of the fill colour; {@code legendX} is any valid x value of the panel, e.g. its first). No-op
     * without spans.
     */
    static void shade(Panel p, String name, List<double[]> spans, Color fill, Object legendX) {
        band(p, name, spans, fill, legendX, 0, 1);
    }

    /**
     * Like {@link #shade} but over the band {@code [fromTop, toTop]} of the plot height (fractions from the top),
     * e.g. a rug of alert rows along the top edge.
     */
    static void band(Panel p, String name, List<double[]> spans, Color fill, Object legendX, double fromTop,
                     double toTop) {
        if (spans.isEmpty()) {
            return;
        }
        for (double[] sp : spans) {
            p.spans.add(new Span(sp[0], sp[1], fill, fromTop, toTop));
        }
        XYSeries s = p.chart.addSeries(name, List.of(legendX), List.of(Double.NaN));
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.SQUARE);
        s.setMarkerColor(new Color(fill.getRed(), fill.getGreen(), fill.getBlue(), Math.min(255, fill.getAlpha() * 2)));
    }

    /** Marks points with filled circles; no-op when there are none. */
    static void points(XYChart c, String name, List<?> x, List<Double> y, Color color, boolean inLegend) {
        if (x.isEmpty()) {
            return;
        }
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(color);
        s.setShowInLegend(inLegend);
    }

    /** Maximal runs {@code [i, j]} of consecutive true entries, in data space via {@code x}. */
    static List<double[]> runs(boolean[] on, java.util.function.IntToDoubleFunction x) {
        List<double[]> out = new ArrayList<>();
        int i = 0;
        while (i < on.length) {
            if (on[i]) {
                int j = i;
                while (j + 1 < on.length && on[j + 1]) {
                    j++;
                }
                out.add(new double[] {x.applyAsDouble(i), x.applyAsDouble(j)});
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }

    /** A dashed horizontal line at {@code y} across {@code [x0, x1]}. */
    static void horizontal(XYChart c, String name, Object x0, Object x1, double y, Color color) {
        XYSeries s = c.addSeries(name, List.of(x0, x1), List.of(y, y));
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {8f, 5f}, 0f));
    }

    /** Sets the x range of every panel (x values in data space: epoch milliseconds for dates). */
    static void xRange(List<Panel> panels, double xMin, double xMax) {
        for (Panel p : panels) {
            p.chart.getStyler().setXAxisMin(xMin);
            p.chart.getStyler().setXAxisMax(xMax);
        }
    }

    /** Fixes a panel's y range (needed by {@link #render} to place the spans). */
    static void yRange(Panel p, double yMin, double yMax) {
        p.chart.getStyler().setYAxisMin(yMin);
        p.chart.getStyler().setYAxisMax(yMax);
    }

    /** A y range padded by 5 % of the finite values' span (or ±1 / ±10 % when they are constant). */
    static double[] paddedRange(double[]... series) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] ys : series) {
            for (double v : ys) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1e-9, Math.abs(lo) * 0.1 + (lo == 0 ? 1 : 0));
        return new double[] {lo - pad, hi + pad};
    }

    /**
     * Renders the panels top to bottom into one image of width {@link #WIDTH}. The x range must have been set with
     * {@link #xRange} to {@code [xMin, xMax]} and each panel's y range with {@link #yRange}: a measuring pass maps
     * those to screen space, then each panel is painted narrower and shifted so that all plot areas share their left
     * and right edges, over its spans.
     */
    static BufferedImage render(List<Panel> panels, double xMin, double xMax) {
        int n = panels.size();
        int[] left = new int[n];
        int[] rightMargin = new int[n];
        int[] top = new int[n];
        int[] bottom = new int[n];
        int height = 0;
        for (int i = 0; i < n; i++) {
            XYChart c = panels.get(i).chart;
            int h = c.getHeight();
            height += h;
            BufferedImage scratch = new BufferedImage(WIDTH, h, BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = scratch.createGraphics();
            c.paint(g, WIDTH, h);
            g.dispose();
            left[i] = (int) Math.round(c.getScreenXFromChart(xMin));
            rightMargin[i] = WIDTH - (int) Math.round(c.getScreenXFromChart(xMax));
            top[i] = (int) Math.round(c.getScreenYFromChart(c.getStyler().getYAxisMax()));
            bottom[i] = (int) Math.round(c.getScreenYFromChart(c.getStyler().getYAxisMin()));
        }
        int l = max(left);
        int r = WIDTH - max(rightMargin);
        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        int y = 0;
        for (int i = 0; i < n; i++) {
            Panel p = panels.get(i);
            int h = p.chart.getHeight();
            for (Span sp : p.spans) {
                int a = (int) Math.floor(l + (sp.x0() - xMin) / (xMax - xMin) * (r - l));
                int b = (int) Math.ceil(l + (sp.x1() - xMin) / (xMax - xMin) * (r - l));
                a = Math.max(l, a);
                b = Math.min(r, Math.max(a + 2, b));
                int plotHeight = bottom[i] - top[i];
                int from = (int) Math.round(top[i] + sp.fromTop() * plotHeight);
                int to = (int) Math.round(top[i] + sp.toTop() * plotHeight);
                g.setColor(sp.fill());
                g.fillRect(a, y + from, b - a, Math.max(1, to - from));
            }
            int offset = l - left[i];
            int w = r - offset + rightMargin[i];
            Graphics2D pg = (Graphics2D) g.create(offset, y, w, h);
            p.chart.paint(pg, w, h);
            pg.dispose();
            y += h;
        }
        g.dispose();
        return img;
    }

    /** Writes {@code img} as a PNG, creating parent directories. */
    static void writePng(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }

    /** Epoch milliseconds of a date, as an XChart x value in data space. */
    static double x(Date d) {
        return d.getTime();
    }

    private static List<Double> boxed(double[] y) {
        List<Double> out = new ArrayList<>(y.length);
        for (double v : y) {
            out.add(v);
        }
        return out;
    }

    private static int max(int[] a) {
        int m = Integer.MIN_VALUE;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
