package dev.gangway.sim.report;

import dev.gangway.goodput.Bucket;
import dev.gangway.sim.run.PolicyResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/** PNG charts of the large job under each policy: goodput by day, loss by cause, failures and restarts over time. */
public final class Charts {

  private Charts() {
  }

  public static List<Path> write(Path dir, List<PolicyResult> results) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<PolicyResult> withLarge = results.stream().filter(r -> r.large() != null).toList();
    if (withLarge.isEmpty()) return List.of();
    List<Path> out = new ArrayList<>();
    out.add(save(goodputByDay(withLarge), dir.resolve("goodput-by-day")));
    out.add(save(lossByCause(withLarge), dir.resolve("loss-by-cause")));
    out.add(save(timeline(withLarge), dir.resolve("timeline")));
    return out;
  }

  static XYChart goodputByDay(List<PolicyResult> results) {
    XYChart c = new XYChartBuilder().width(1000).height(450).title("Large job: useful training per day")
        .xAxisTitle("day").yAxisTitle("useful hours / 24 h (%)").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW).setMarkerSize(4);
    c.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
    for (PolicyResult r : results) {
      List<Double> d = r.large().dailyGoodput();
      if (d.isEmpty()) continue;
      double[] x = new double[d.size()];
      double[] y = new double[d.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = i + 1;
        y[i] = 100 * d.get(i);
      }
      c.addSeries(r.policy().name() + String.format(" (ETTR %.1f%%)", 100 * r.large().ettr()), x, y);
    }
    return c;
  }

  static CategoryChart lossByCause(List<PolicyResult> results) {
    CategoryChart c = new CategoryChartBuilder().width(1000).height(500).title("Large job: where the elapsed time went")
        .xAxisTitle("policy").yAxisTitle("% of elapsed time").build();
    c.getStyler().setStacked(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setYAxisMax(100.0);
    List<String> names = results.stream().map(r -> r.policy().name()).toList();
    for (Bucket b : Bucket.values()) {
      List<Double> ys = new ArrayList<>();
      for (PolicyResult r : results) ys.add(100 * r.large().hoursByBucket().get(b.name()) / r.large().elapsedHours());
      c.addSeries(b.label(), names, ys);
    }
    return c;
  }

  static XYChart timeline(List<PolicyResult> results) {
    XYChart c = new XYChartBuilder().width(1000).height(450).title("Large job: faults that hit it (points) and its restarts (lines)")
        .xAxisTitle("day").yAxisTitle("cumulative count").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW).setMarkerSize(5);
    for (PolicyResult r : results) {
      List<Double> fx = new ArrayList<>();
      List<Double> fy = new ArrayList<>();
      List<Double> rx = new ArrayList<>();
      List<Double> ry = new ArrayList<>();
      for (PolicyResult.TimelineEvent e : r.large().timeline()) {
        if (e.kind().equals("fault")) {
          fx.add(e.day());
          fy.add((double) fx.size());
        } else if (e.kind().equals("restart")) {
          rx.add(e.day());
          ry.add((double) rx.size());
        }
      }
      if (!fx.isEmpty()) {
        XYSeries f = c.addSeries("faults: " + r.policy().name(), fx, fy);
        f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      }
      if (!rx.isEmpty()) {
        XYSeries s = c.addSeries("restarts: " + r.policy().name(), rx, ry);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
      }
    }
    return c;
  }

  private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path base) throws IOException {
    BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
    return Path.of(base + ".png");
  }
}
