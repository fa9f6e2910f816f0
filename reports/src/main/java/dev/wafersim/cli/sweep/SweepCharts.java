package dev.wafersim.cli.sweep;

import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.LineChart;
import dev.wafersim.cli.experiment.Experiment;
import dev.wafersim.cli.experiment.ExperimentKey;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.ParamSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The charts drawn at the end of a sweep: per-token latency and total throughput against one swept
 * quantity (the x axis), one line per combination of the other varying quantities. Points come from the
 * CSV rows with status {@code ok}, sorted by point index, so the charts do not depend on the order rows
 * were written. When {@code model} is the x axis, x is the model's size in billions of parameters and
 * each point is labelled with the model's name.
 */
public final class SweepCharts {
    /** A metric drawn: CSV column, title and axis label. */
    private record Drawn(String column, String file, String title, String axis, LineChart.Scale yScale) {
    }

    private static final List<Drawn> DRAWN = List.of(
            new Drawn("perTokenLatencyMs", "latency", "Per-token latency", "per-token latency (ms)",
                    LineChart.Scale.LINEAR),
            new Drawn("tokensPerSecondTotal", "throughput", "Throughput", "tokens/s, all sequences of the batch",
                    LineChart.Scale.LINEAR),
            // TTFT grows with the square of the prompt: a range of 1k to 128k tokens spans 500x.
            new Drawn("ttftMs", "ttft", "Time to first token", "time to first token (ms)", LineChart.Scale.AUTO));

    private SweepCharts() {
    }

    /**
     * The x axis: {@code requested} (normalized; it must be a varying axis), or the first varying axis
     * whose values are all numbers or that is the model (drawn against model size), or the first varying
     * axis; null when nothing varies.
     */
    public static SweepAxis xAxis(SweepPlan plan, String requested) {
        List<SweepAxis> varying = plan.varying();
        if (requested != null) {
            String key = SweepAxis.normalize(requested, "--x");
            for (SweepAxis a : varying) {
                if (a.key().equals(key)) {
                    return a;
                }
            }
            throw new ConfigException("--x=" + requested + " is not allowed; expected a swept key with several values: "
                    + String.join(", ", varying.stream().map(SweepAxis::key).toList()));
        }
        for (SweepAxis a : varying) {
            if (a.numeric() || isModel(a)) {
                return a;
            }
        }
        return varying.isEmpty() ? null : varying.get(0);
    }

    /**
     * True for the model axis, drawn against model size.
     */
    static boolean isModel(SweepAxis a) {
        return a.key().equals(ExperimentKey.MODEL.key()) || a.key().equals(ExperimentKey.MODEL_FILE.key());
    }

    /**
     * Draws the charts into {@code dir}.
     *
     * @param rows point index to its CSV fields, for the points that succeeded
     * @return the files written
     */
    public static List<Path> draw(Path dir, SweepPlan plan, List<Experiment> experiments, List<String> header,
                                  Map<Integer, List<String>> rows, SweepAxis x, boolean svg) {
        List<Path> written = new ArrayList<>();
        if (x == null || rows.isEmpty()) {
            return written;
        }
        int xi = plan.axes().indexOf(x);
        boolean modelSize = isModel(x);
        boolean numeric = modelSize || x.numeric();
        List<Integer> others = new ArrayList<>();
        for (int a = 0; a < plan.axes().size(); a++) {
            if (a != xi && plan.axes().get(a).varies()) {
                others.add(a);
            }
        }
        Experiment first = experiments.get(rows.keySet().iterator().next());
        String xLabel = label(x.key(), first);
        String subtitle = subtitle(plan, first);
        for (Drawn d : DRAWN) {
            int col = header.indexOf(d.column());
            if (col < 0) {
                continue;
            }
            Map<String, List<LineChart.Point>> lines = new LinkedHashMap<>();
            for (Map.Entry<Integer, List<String>> e : new TreeMap<>(rows).entrySet()) {
                List<String> values = plan.values(e.getKey());
                StringBuilder name = new StringBuilder();
                for (int a : others) {
                    name.append(name.length() == 0 ? "" : ", ").append(plan.axes().get(a).key()).append('=')
                            .append(values.get(a));
                }
                String xv = values.get(xi);
                Double xNum = null;
                String label = null;
                if (modelSize) {
                    xNum = experiments.get(e.getKey()).model().totalParameters() / 1e9;
                    label = experiments.get(e.getKey()).model().name();
                } else if (numeric) {
                    xNum = Double.parseDouble(xv.replace("_", ""));
                }
                String y = e.getValue().get(col);
                if (y.isEmpty()) {
                    continue;
                }
                lines.computeIfAbsent(name.length() == 0 ? d.axis() : name.toString(), k -> new ArrayList<>())
                        .add(new LineChart.Point(xNum, xv, Double.parseDouble(y), label));
            }
            if (lines.isEmpty()) {
                continue; // a column no point has (ttftMs without workload.promptTokens)
            }
            List<LineChart.Line> ls = new ArrayList<>();
            lines.forEach((n, pts) -> ls.add(new LineChart.Line(n, pts)));
            LineChart.Data data = new LineChart.Data(d.title() + " against " + xLabel.replaceAll(" \\(.*\\)$", ""),
                    subtitle, xLabel, d.axis(), ls);
            Path file = dir.resolve(d.file() + "-vs-" + x.key().replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
            written.addAll(ChartFiles.save(dev.wafersim.cli.chart.LineChart.of(data, LineChart.Scale.AUTO, d.yScale()), file,
                    svg));
        }
        return written;
    }

    /** An axis label with its unit. */
    static String label(String key, Experiment sample) {
        ExperimentKey k = ExperimentKey.find(key);
        if (k != null) {
            return switch (k) {
                case BATCH -> "batch (sequences)";
                case CONTEXT -> "context length (tokens)";
                case TOKENS -> "tokens generated";
                case PROMPT_TOKENS -> "prompt length (tokens)";
                case GPUS -> "GPUs";
                case TP -> "tensor-parallel degree (GPUs)";
                case PP -> "pipeline stages";
                case WAFERS -> "wafers";
                case MODEL, MODEL_FILE -> "model size (billion parameters)";
                default -> key;
            };
        }
        ParamSchema schema = sample.params().schema();
        if (schema.has(key)) {
            String unit = schema.spec(key, "chart").unit();
            return unit.equals("-") ? key : key + " (" + unit + ")";
        }
        return key;
    }

    /** What the points share: the system and model unless swept, and the workload values not swept. */
    static String subtitle(SweepPlan plan, Experiment e) {
        List<String> swept = plan.varying().stream().map(SweepAxis::key).toList();
        List<String> parts = new ArrayList<>();
        if (!swept.contains("model") && !swept.contains("modelFile")) {
            parts.add(e.model().name());
        }
        if (!swept.contains("system")) {
            parts.add("on " + e.entry().name());
        }
        String head = String.join(" ", parts);
        List<String> w = new ArrayList<>();
        if (!swept.contains(ExperimentKey.BATCH.key())) {
            w.add("batch " + e.workload().batchSize());
        }
        if (!swept.contains(ExperimentKey.CONTEXT.key())) {
            w.add(String.format(Locale.ROOT, "context %d", e.workload().contextTokens()));
        }
        if (!swept.contains(ExperimentKey.TOKENS.key())) {
            w.add("mean of " + e.workload().tokensToGenerate() + " tokens");
        }
        w.add(e.workload().precision().label());
        return (head.isEmpty() ? "" : head + "; ") + String.join(", ", w);
    }
}
