package io.sluice.loadtest.report;

import java.util.List;
import java.util.Locale;

/**
 * A small inline-SVG line chart, so the HTML report needs no script and no network. The SVG carries
 * no namespace URL: inline SVG in HTML does not need one.
 */
final class SvgChart {
  record Series(String name, String color, double[] ys) {}

  private static final int W = 760;
  private static final int H = 240;
  private static final int L = 60;
  private static final int R = 130;
  private static final int T = 24;
  private static final int B = 32;

  private SvgChart() {}

  /**
   * @param xs x values (seconds), shared by all series
   * @param shadeUntil x up to which the background is shaded (the warm-up), or 0
   */
  static String render(
      String title, String yUnit, double[] xs, List<Series> series, double shadeUntil) {
    double xMax = 1;
    for (double x : xs) {
      xMax = Math.max(xMax, x);
    }
    double yMax = 0;
    for (Series s : series) {
      for (double y : s.ys()) {
        yMax = Math.max(yMax, y);
      }
    }
    yMax = niceCeiling(yMax);
    int pw = W - L - R;
    int ph = H - T - B;
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
            W,
            H,
            W,
            H));
    sb.append("<title>").append(Html.esc(title)).append("</title>");
    sb.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"16\" class=\"ct\">%s</text>",
            L,
            Html.esc(title + " (" + yUnit + ")")));
    if (shadeUntil > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%d\" class=\"ax\">warm-up</text>",
              L,
              T,
              Math.min(pw, pw * shadeUntil / xMax),
              ph,
              L + 4,
              T + 12));
    }
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      double y = T + ph - ph * i / 4.0;
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%s</text>",
              L,
              L + pw,
              y,
              y,
              L - 6,
              y + 4,
              fmt(v)));
    }
    for (int i = 0; i <= 5; i++) {
      double v = xMax * i / 5;
      double x = L + pw * i / 5.0;
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">%ss</text>",
              x,
              H - 10,
              fmt(v)));
    }
    int legendY = T + 10;
    for (Series s : series) {
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < xs.length && i < s.ys().length; i++) {
        double x = L + pw * xs[i] / xMax;
        double y = T + ph - (yMax == 0 ? 0 : ph * s.ys()[i] / yMax);
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"%s\""
                  + " data-series=\"%s\"/>",
              s.color(),
              pts.toString().trim(),
              Html.esc(s.name())));
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%d\" class=\"ax\">%s</text>",
              L + pw + 10,
              legendY - 3,
              s.color(),
              L + pw + 26,
              legendY + 1,
              Html.esc(s.name())));
      legendY += 16;
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>",
            L,
            T,
            pw,
            ph));
    sb.append("</svg>");
    return sb.toString();
  }

  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (v <= m * mag) {
        return m * mag;
      }
    }
    return 10 * mag;
  }

  static String fmt(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.2f" : "%.1f", v);
  }
}
