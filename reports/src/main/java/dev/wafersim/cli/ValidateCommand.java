package dev.wafersim.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wafersim.cli.experiment.Suggest;
import dev.wafersim.cli.io.Json;
import dev.wafersim.cli.validate.ValidationPoint;
import dev.wafersim.cli.validate.ValidationSource;
import dev.wafersim.cli.validate.ValidationSources;
import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.run.SystemKind;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wafersim validate}: runs every validation point the project carries ({@link ValidationSources})
 * and prints published against simulated values. A point outside its band fails validation (exit 1)
 * unless it is a documented known miss (MISS, with its reason).
 */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Check the simulator against every published measurement the project carries.",
            "",
            "Each point is held to a band set before the model was run on it. Status: PASS within the band;",
            "MISS outside it, as documented (the reason is printed; does not fail); FAIL outside it unexpectedly.",
            "",
            "Exit codes: 0 no FAIL, 1 a point left its band unexpectedly, 2 bad input."})
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--machine", paramLabel = "gpu|wafer|all", description = "Which machine's points (default: all).")
    String machine = "all";

    @Option(names = "--source", paramLabel = "NAME", description = "Run only this source; repeatable.")
    List<String> only = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every point as JSON to FILE.")
    Path json;

    private final List<ValidationSource> sources;

    /** The command over the project's sources. */
    public ValidateCommand() {
        this(ValidationSources.all());
    }

    /** The command over {@code sources} (tests). */
    ValidateCommand(List<ValidationSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** The points of one source. */
    private record Ran(ValidationSource source, List<ValidationPoint> points) {
    }

    @Override
    public Integer call() {
        List<ValidationSource> selected = select();
        List<Ran> ran = new ArrayList<>();
        List<List<ValidationPoint>> points = Parallel.map(selected, ValidationSource::points,
                Runtime.getRuntime().availableProcessors(), i -> "validation source " + selected.get(i).name());
        for (int i = 0; i < selected.size(); i++) {
            ran.add(new Ran(selected.get(i), points.get(i)));
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<ValidationPoint.Status, Integer> counts = new EnumMap<>(ValidationPoint.Status.class);
        for (ValidationPoint.Status s : ValidationPoint.Status.values()) {
            counts.put(s, 0);
        }
        for (Ran r : ran) {
            out.print(table(r));
            r.points.forEach(p -> counts.merge(p.status(), 1, Integer::sum));
        }
        for (SystemKind k : SystemKind.values()) {
            boolean wanted = machine.equalsIgnoreCase("all") || machine.equalsIgnoreCase(k.word());
            boolean any = sources.stream().anyMatch(s -> s.machine() == k);
            if (wanted && !any && only.isEmpty()) {
                out.printf(Locale.ROOT, "%s: no validation points registered in this build%n%n", k.word());
            }
        }
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        boolean failed = counts.get(ValidationPoint.Status.FAIL) > 0;
        out.printf(Locale.ROOT, "validate %s: %d points, %d PASS, %d MISS (documented), %d FAIL%n", failed ? "FAILED" : "ok",
                total, counts.get(ValidationPoint.Status.PASS), counts.get(ValidationPoint.Status.MISS),
                counts.get(ValidationPoint.Status.FAIL));
        out.flush();
        if (json != null) {
            Json.write(json, toJson(ran, counts));
        }
        return failed ? Main.EXIT_GATE_FAILED : Main.EXIT_OK;
    }

    private List<ValidationSource> select() {
        String m = machine.toLowerCase(Locale.ROOT);
        if (!m.equals("all") && !m.equals("gpu") && !m.equals("wafer")) {
            throw new ConfigException("--machine=" + machine + " is not allowed; expected gpu, wafer or all");
        }
        List<String> names = sources.stream().map(ValidationSource::name).toList();
        for (String s : only) {
            if (!names.contains(s)) {
                throw new ConfigException("--source=" + s + " is not a validation source" + Suggest.didYouMean(s, names)
                        + "; expected one of " + String.join(", ", names));
            }
        }
        List<ValidationSource> out = new ArrayList<>();
        for (ValidationSource s : sources) {
            boolean kind = m.equals("all") || s.machine().word().equals(m);
            if (kind && (only.isEmpty() || only.contains(s.name()))) {
                out.add(s);
            }
        }
        return out;
    }

    private static String table(Ran r) {
        StringBuilder sb = new StringBuilder();
        String nl = System.lineSeparator();
        sb.append(r.source.name()).append(" (").append(r.source.machine().word()).append("): ")
                .append(r.source.description()).append(nl);
        int iw = "id".length();
        for (ValidationPoint p : r.points) {
            iw = Math.max(iw, p.id().length());
        }
        String f = "  %-" + iw + "s  %-60s %11s %11s %-5s %8s %6s  %-5s %s%n";
        sb.append(String.format(Locale.ROOT, f, "id", "what", "published", "simulated", "unit", "error", "band", "role",
                "status"));
        List<ValidationPoint> notes = new ArrayList<>();
        for (ValidationPoint p : r.points) {
            String status = p.status().name();
            if (p.status() == ValidationPoint.Status.MISS || p.missNowPasses()) {
                notes.add(p);
                status += " [" + notes.size() + "]";
            }
            sb.append(String.format(Locale.ROOT, f, p.id(), clip(p.what(), 60), num(p.published()), num(p.simulated()),
                    p.unit(), String.format(Locale.ROOT, "%+.1f%%", p.errorPct()),
                    String.format(Locale.ROOT, "%.0f%%", p.bandPct()), p.fitted() ? "fit" : "check", status));
        }
        for (boolean fit : new boolean[] {true, false}) {
            String summary = roleSummary(r.points, fit);
            if (summary != null) {
                sb.append("  ").append(summary).append(nl);
            }
        }
        for (int i = 0; i < notes.size(); i++) {
            ValidationPoint p = notes.get(i);
            sb.append(String.format(Locale.ROOT, "  [%d] %s: %s%s%n", i + 1, p.id(),
                    p.missNowPasses() ? "documented as a known miss but now within its band (update the documentation): "
                            : "known miss: ", p.reason()));
        }
        sb.append(nl);
        return sb.toString();
    }

    /**
     * One line on the points of one role: {@code fit} points (a parameter was calibrated on them) or held-out
     * {@code check} points: count, mean and largest |error|, and how many lie outside their band. Null when
     * the source has no point of that role.
     */
    static String roleSummary(List<ValidationPoint> points, boolean fit) {
        int n = 0;
        int outside = 0;
        double sum = 0;
        double max = 0;
        for (ValidationPoint p : points) {
            if (p.fitted() == fit) {
                n++;
                double e = Math.abs(p.errorPct());
                sum += e;
                max = Math.max(max, e);
                if (e > p.bandPct()) {
                    outside++;
                }
            }
        }
        if (n == 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%-8s %d point%s, mean |error| %.1f%%, max %.1f%%, %d outside the band",
                fit ? "fit:" : "held-out:", n, n == 1 ? "" : "s", sum / n, max, outside);
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }

    private static String num(double v) {
        double a = Math.abs(v);
        String f = a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : a >= 1 ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, f, v);
    }

    private static ObjectNode toJson(List<Ran> ran, Map<ValidationPoint.Status, Integer> counts) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("wafersimVersion", WafersimCommand.version());
        o.put("command", "validate");
        ObjectNode summary = o.putObject("summary");
        counts.forEach((k, v) -> summary.put(k.name().toLowerCase(Locale.ROOT), v));
        ArrayNode sources = o.putArray("sources");
        for (Ran r : ran) {
            ObjectNode s = sources.addObject();
            s.put("name", r.source.name());
            s.put("machine", r.source.machine().word());
            s.put("description", r.source.description());
            ArrayNode pts = s.putArray("points");
            for (ValidationPoint p : r.points) {
                ObjectNode j = pts.addObject();
                j.put("id", p.id());
                j.put("what", p.what());
                j.put("unit", p.unit());
                j.put("published", p.published());
                j.put("simulated", p.simulated());
                j.put("errorPct", p.errorPct());
                j.put("bandPct", p.bandPct());
                j.put("role", p.fitted() ? "fit" : "check");
                j.put("knownMiss", p.knownMiss());
                j.put("status", p.status().name());
                j.put("reason", p.reason());
                j.put("reference", p.reference());
            }
        }
        return o;
    }
}
