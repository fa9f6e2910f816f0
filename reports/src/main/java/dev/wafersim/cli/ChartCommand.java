package dev.wafersim.cli;

import dev.wafersim.cli.io.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wafersim.cli.chart.BreakdownChart;
import dev.wafersim.cli.chart.ChartFiles;
import dev.wafersim.cli.chart.LatencyCdfChart;
import dev.wafersim.cli.chart.LineChart;
import dev.wafersim.cli.io.Csv;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.core.config.EditDistance;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jfree.chart.JFreeChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim chart}: draws a chart from a sweep CSV (a metric against a column, one line per value of
 * the series columns) or from a run or compare result JSON (the breakdown as stacked bars, or the latency
 * CDF).
 */
@Command(name = "chart", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Draw a chart from a sweep CSV or a result JSON.",
            "",
            "PNG, and SVG too with --svg or an .svg name:",
            "  from a sweep CSV:  --csv FILE --x COLUMN [--y COLUMN] [--series COLUMN[,COLUMN]] --out FILE.png",
            "  from a result:     --json FILE --kind breakdown|cdf --out FILE.png",
            "Rows of a CSV with a status column are drawn when ok, in point order; a CSV in which a point appears",
            "twice is refused. The file type follows the name: .png, .svg (writes the PNG too); any other",
            "extension is refused.",
            "",
            "Exit codes: 0 ok, 2 bad input, 4 internal error.",
            "",
            AtomicFiles.HELP})
public final class ChartCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--csv", paramLabel = "FILE", description = "A CSV with a header line (e.g. from wafersim sweep).")
    Path csv;

    @Option(names = "--x", paramLabel = "COLUMN", description = "Column on the x axis.")
    String x;

    @Option(names = "--y", paramLabel = "COLUMN", description = "Column on the y axis (default: ${DEFAULT-VALUE}).")
    String y = "perTokenLatencyMs";

    @Option(names = "--series", paramLabel = "COLUMN[,COLUMN]", split = ",",
            description = "Columns whose values make the lines (default: one line).")
    List<String> series = new ArrayList<>();

    @Option(names = "--where", paramLabel = "COLUMN=VALUE", description = "Keep only rows with this value; repeatable.")
    List<String> where = new ArrayList<>();

    @Option(names = "--x-scale", paramLabel = "linear|log|auto",
            description = "Scale of a numeric x axis; auto is log when the values span 50x or more (default: ${DEFAULT-VALUE}).")
    String xScale = "auto";

    @Option(names = "--y-scale", paramLabel = "linear|log|auto",
            description = "Scale of the y axis; auto is log when the values are positive and span 50x or more"
                    + " (default: ${DEFAULT-VALUE}).")
    String yScale = "linear";

    @Option(names = "--subtitle", paramLabel = "TEXT",
            description = "Chart subtitle (default: the CSV's name and the --where filters).")
    String subtitle;

    @Option(names = "--json", paramLabel = "FILE", description = "A result of wafersim run --json or compare --json.")
    Path json;

    @Option(names = "--kind", paramLabel = "breakdown|cdf", description = "Chart of a result (default: ${DEFAULT-VALUE}).")
    String kind = "breakdown";

    @Option(names = "--title", paramLabel = "TEXT", description = "Chart title (default: from the data).")
    String title;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "The chart file.")
    Path out;

    @Option(names = "--svg", description = "Write an SVG too.")
    boolean svg;

    @Option(names = "--width", paramLabel = "PX", description = "Width in pixels (default: ${DEFAULT-VALUE}).")
    int width = ChartFiles.WIDTH;

    @Option(names = "--height", paramLabel = "PX", description = "Height in pixels (default: ${DEFAULT-VALUE}).")
    int height = ChartFiles.HEIGHT;

    @Override
    public Integer call() {
        if ((csv == null) == (json == null)) {
            throw new ConfigException("give exactly one of --csv (a sweep CSV) or --json (a run or compare result)");
        }
        ChartFiles.checkName(out, "--out");
        JFreeChart chart = csv != null ? fromCsv() : fromJson();
        PrintWriter o = spec.commandLine().getOut();
        for (Path p : ChartFiles.save(chart, out, svg, width, height)) {
            o.println("chart: " + p);
        }
        o.flush();
        return Main.EXIT_OK;
    }

    private JFreeChart fromCsv() {
        if (x == null) {
            throw new ConfigException("--csv needs --x COLUMN (the column on the x axis)");
        }
        LineChart.Scale scale = scale("--x-scale", xScale);
        Csv.Table t = Csv.read(csv);
        t.requireUnique("point", csv.toString(), "chart");
        int xi = column(t, x, "--x");
        int yi = column(t, y, "--y");
        List<Integer> si = new ArrayList<>();
        for (String s : series) {
            si.add(column(t, s.trim(), "--series"));
        }
        Map<Integer, String> filters = new LinkedHashMap<>();
        for (String w : where) {
            Experiments.KeyValue kv = Experiments.KeyValue.parse(w, "--where");
            filters.put(column(t, kv.key(), "--where"), kv.value());
        }
        int status = t.column("status");
        int point = t.column("point");
        List<List<String>> rows = new ArrayList<>();
        for (List<String> r : t.rows()) {
            boolean keep = status < 0 || r.get(status).equals("ok");
            for (Map.Entry<Integer, String> f : filters.entrySet()) {
                keep &= r.get(f.getKey()).equals(f.getValue());
            }
            if (keep) {
                rows.add(r);
            }
        }
        if (point >= 0) {
            rows.sort(Comparator.comparingLong(r -> parseLong(r.get(point))));
        }
        if (rows.isEmpty()) {
            throw new ConfigException(csv + ": no rows to draw" + (status >= 0 ? " (none with status ok)" : ""));
        }
        if (series.isEmpty()) {
            si = defaultSeries(t, rows, xi, filters.keySet());
            if (!si.isEmpty()) {
                List<String> names = si.stream().map(t.header()::get).toList();
                spec.commandLine().getOut().println("series: " + String.join(", ", names) + " (the swept columns that"
                        + " vary besides --x; --series chooses others)");
            }
        }
        boolean numeric = true;
        for (List<String> r : rows) {
            numeric &= isNumber(r.get(xi));
        }
        Map<String, List<LineChart.Point>> lines = new LinkedHashMap<>();
        for (List<String> r : rows) {
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < si.size(); i++) {
                name.append(i == 0 ? "" : ", ").append(t.header().get(si.get(i))).append('=').append(r.get(si.get(i)));
            }
            String yv = r.get(yi);
            if (!isNumber(yv)) {
                throw new ConfigException(csv + ": --y column " + y + " holds '" + yv + "', not a number");
            }
            lines.computeIfAbsent(name.length() == 0 ? label(y) : name.toString(), k -> new ArrayList<>())
                    .add(new LineChart.Point(numeric ? Double.parseDouble(r.get(xi)) : null, r.get(xi),
                            Double.parseDouble(yv), null));
        }
        requireOnePointPerX(t, rows, xi, si);
        List<LineChart.Line> ls = new ArrayList<>();
        lines.forEach((n, pts) -> ls.add(new LineChart.Line(n, pts)));
        String t0 = title != null ? title : label(y).replaceAll(" \\(.*\\)$", "") + " against "
                + label(x).replaceAll(" \\(.*\\)$", "");
        String sub = subtitle != null ? subtitle : filters.isEmpty() ? csv.getFileName().toString()
                : csv.getFileName() + " where " + String.join(", ", where);
        return LineChart.of(new LineChart.Data(t0, sub, label(x), label(y), ls), scale, scale("--y-scale", yScale));
    }

    /**
     * The series a sweep CSV needs when none is given: its key columns (between {@code point} and
     * {@code status}) other than x and the filtered ones that take more than one value among the rows
     * drawn. Without them the points of different series would be joined into one zigzag line.
     */
    private static List<Integer> defaultSeries(Csv.Table t, List<List<String>> rows, int xi,
                                               java.util.Set<Integer> filtered) {
        int point = t.column("point");
        int status = t.column("status");
        List<Integer> out = new ArrayList<>();
        if (point != 0 || status < 0) {
            return out;
        }
        for (int c = 1; c < status; c++) {
            if (c == xi || filtered.contains(c)) {
                continue;
            }
            java.util.Set<String> values = new java.util.HashSet<>();
            for (List<String> r : rows) {
                values.add(r.get(c));
            }
            if (values.size() > 1) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Refuses two rows of one line with the same x: drawn, they would zigzag (numeric x) or one would hide
     * the other (a category). Names the columns that tell them apart.
     */
    private void requireOnePointPerX(Csv.Table t, List<List<String>> rows, int xi, List<Integer> si) {
        Map<List<String>, List<String>> seen = new java.util.HashMap<>();
        for (List<String> r : rows) {
            List<String> key = new ArrayList<>();
            key.add(r.get(xi));
            si.forEach(c -> key.add(r.get(c)));
            List<String> first = seen.putIfAbsent(key, r);
            if (first == null) {
                continue;
            }
            List<String> differ = new ArrayList<>();
            for (int c = 0; c < t.header().size(); c++) {
                String h = t.header().get(c);
                if (c != xi && !si.contains(c) && !first.get(c).equals(r.get(c)) && !h.equals("point")
                        && !METRIC_LIKE.matcher(h).find()) {
                    differ.add(h);
                }
            }
            throw new ConfigException("chart: " + csv + " has several rows with --x " + x + "=" + r.get(xi)
                    + (si.isEmpty() ? "" : " in one series") + "; one line takes one point per x value. The rows differ in "
                    + (differ.isEmpty() ? "no column but the drawn ones" : String.join(", ", differ))
                    + "; give --series " + (differ.isEmpty() ? "COLUMN" : differ.get(0)) + " (one line per value) or --where "
                    + (differ.isEmpty() ? "COLUMN" : differ.get(0)) + "=VALUE (keep one)");
        }
    }

    /** Result columns, which differ between rows without telling series apart. */
    private static final java.util.regex.Pattern METRIC_LIKE = java.util.regex.Pattern.compile(
            "Ms$|Bytes$|^tokensPerSecond|Hash$|^extras$|^error$|^memoryStore$");

    private static boolean isNumber(String s) {
        try {
            return Double.isFinite(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private int column(Csv.Table t, String name, String option) {
        int i = t.column(name);
        if (i < 0) {
            throw new ConfigException(option + "=" + name + ": no such column in " + csv
                    + EditDistance.didYouMean(name, t.header()) + "; columns are " + String.join(", ", t.header()));
        }
        return i;
    }

    /** An axis label with the unit the column name carries. */
    static String label(String column) {
        return switch (column) {
            case "perTokenLatencyMs" -> "per-token latency (ms)";
            case "p50Ms" -> "p50 per-token latency (ms)";
            case "p99Ms" -> "p99 per-token latency (ms)";
            case "minMs" -> "fastest token (ms)";
            case "maxMs" -> "slowest token (ms)";
            case "tokensPerSecond" -> "tokens/s per user";
            case "tokensPerSecondTotal" -> "tokens/s, all sequences";
            case "workload.context", "contextTokens" -> "context length (tokens)";
            case "workload.batch", "batch" -> "batch (sequences)";
            case "workload.tokens", "tokens" -> "tokens generated";
            case "workload.promptTokens", "promptTokens" -> "prompt length (tokens)";
            case "ttftMs" -> "time to first token (ms)";
            case "workload.gpus" -> "GPUs";
            case "workload.wafers" -> "wafers";
            case "energyJoulesPerToken" -> "energy per output token (J)";
            case "costUsdPerMillionTokens" -> "cost per million output tokens (USD)";
            default -> {
                if (column.startsWith("breakdown.") && column.endsWith("Ms")) {
                    yield column.substring("breakdown.".length(), column.length() - 2) + " (ms per token)";
                }
                if (column.endsWith("Ms")) {
                    yield column.substring(0, column.length() - 2) + " (ms)";
                }
                if (column.endsWith("Bytes")) {
                    yield column.substring(0, column.length() - 5) + " (bytes)";
                }
                yield column;
            }
        };
    }

    /**
     * The results' precision when they share one, else each bar's weights in bar order
     * ({@code precision by bar: bf16, bf16, fp8:per-channel:block}): short enough for a subtitle.
     */
    static String precisions(List<JsonNode> results) {
        java.util.Set<String> distinct = new java.util.LinkedHashSet<>();
        results.forEach(r -> distinct.add(r.path("precision").asText()));
        if (distinct.size() == 1) {
            return distinct.iterator().next();
        }
        List<String> each = new ArrayList<>();
        for (JsonNode r : results) {
            String p = r.path("precision").asText();
            each.add(p.contains("/kv=") ? p.substring(0, p.indexOf("/kv=")) : p);
        }
        return "precision by bar: " + String.join(", ", each);
    }

    private JFreeChart fromJson() {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(json));
        } catch (NoSuchFileException e) {
            throw new ConfigException("--json " + json + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("--json " + json + ": " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? "not valid JSON" + dev.wafersim.cli.io.Inputs.at(j) + ": " + dev.wafersim.cli.io.Inputs.reason(j)
                    : "cannot be read: " + dev.wafersim.cli.io.OutputFailure.reason(json, e)));
        }
        List<JsonNode> results = new ArrayList<>();
        if (root != null && root.path("results").isArray()) {
            root.get("results").forEach(results::add);
        } else if (root != null && root.path("perTokenLatencyMs").isNumber()) {
            results.add(root);
        }
        if (results.isEmpty()) {
            throw new ConfigException("--json " + json + ": not a wafersim run or compare result");
        }
        JsonNode r0 = results.get(0);
        String workloadLine = String.format(Locale.ROOT, "%s; batch %d, context %d tokens, mean of %d tokens",
                precisions(results), r0.path("batch").asInt(), r0.path("contextTokens").asLong(),
                r0.path("tokens").asInt());
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "breakdown" -> {
                List<BreakdownChart.Bar> bars = new ArrayList<>();
                for (JsonNode r : results) {
                    Map<String, Double> cats = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonNode> e : r.path("breakdownMs").properties()) {
                        cats.put(e.getKey(), e.getValue().asDouble());
                    }
                    bars.add(new BreakdownChart.Bar(r.path("label").asText(r.path("system").asText()), cats,
                            r.path("perTokenLatencyMs").asDouble()));
                }
                return BreakdownChart.of(title != null ? title : "Per-token latency: " + r0.path("model").asText(),
                        workloadLine, bars);
            }
            case "cdf" -> {
                List<LatencyCdfChart.Series> ss = new ArrayList<>();
                for (JsonNode r : results) {
                    JsonNode lat = r.path("tokenLatenciesMs");
                    if (!lat.isArray() || lat.isEmpty()) {
                        throw new ConfigException("--json " + json + ": no tokenLatenciesMs to draw a CDF from");
                    }
                    long[] ps = new long[lat.size()];
                    for (int i = 0; i < ps.length; i++) {
                        ps[i] = Math.round(lat.get(i).asDouble() * 1e9);
                    }
                    String name = r.path("label").asText(r.path("system").asText()) + ", " + r.path("model").asText();
                    ss.add(new LatencyCdfChart.Series(name, ps, r.path("model").asText() + " on "
                            + r.path("machine").asText() + ": " + workloadLine));
                }
                return LatencyCdfChart.of(ss);
            }
            default -> throw new ConfigException("--kind=" + kind + " is not allowed; expected breakdown or cdf");
        }
    }

    /** The scale an axis option names ({@code option}: its name, for the message). */
    private static LineChart.Scale scale(String option, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "linear" -> LineChart.Scale.LINEAR;
            case "log" -> LineChart.Scale.LOG;
            case "auto" -> LineChart.Scale.AUTO;
            default -> throw new ConfigException(option + "=" + value + " is not allowed; expected linear, log or auto");
        };
    }
}
