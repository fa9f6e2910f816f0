package dev.wafersim.cli;

import dev.wafersim.workloads.model.AttentionType;
import dev.wafersim.workloads.model.HfConfigReader;
import dev.wafersim.workloads.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The lines that say what shapes a model beyond its sizes — its attention pattern (sliding windows), the
 * positions it accepts and, for a config.json, which keys were read and which were ignored and why — for
 * {@code describe} and the header of {@code run}. Nothing that changes the model, or is dropped, goes
 * unsaid.
 */
final class ModelDescription {
    /** The generic reason of {@link HfConfigReader}; keys with only it are listed together. */
    private static final String GENERIC = "does not change the decode op graph";

    private ModelDescription() {
    }

    /** One labelled line. */
    record Line(String key, String value) {
    }

    /** The lines of {@code m}, with the config's keys when {@code report} is not null. */
    static List<Line> lines(ModelSpec m, HfConfigReader.Report report) {
        List<Line> out = new ArrayList<>();
        out.add(new Line("attention", attention(m)));
        out.add(new Line("positions", m.maxPositions() > 0
                ? String.format(Locale.ROOT, "up to %,d per sequence (max_position_embeddings; more needs"
                        + " --beyond-max-positions)", m.maxPositions())
                : "no maximum given (max_position_embeddings absent): not checked"));
        if (report != null) {
            out.add(new Line("config read", String.join(", ", report.read())));
            List<String> reasoned = new ArrayList<>();
            List<String> generic = new ArrayList<>();
            for (Map.Entry<String, String> e : report.ignored().entrySet()) {
                if (e.getValue().equals(GENERIC)) {
                    generic.add(e.getKey());
                } else {
                    reasoned.add(e.getKey() + " (" + e.getValue() + ")");
                }
            }
            if (!generic.isEmpty()) {
                reasoned.add(String.join(", ", generic) + " (" + GENERIC + ")");
            }
            out.add(new Line("config ignored", reasoned.isEmpty() ? "nothing" : String.join("; ", reasoned)));
        }
        return out;
    }

    /** {@code full attention on all 32 layers}, or the sliding layers and their window. */
    static String attention(ModelSpec m) {
        int sliding = m.attention().count(AttentionType.SLIDING);
        int layers = m.numLayers();
        int window = m.attention().slidingWindowTokens();
        if (sliding == 0) {
            return "full attention on all " + layers + " layers";
        }
        if (sliding == layers) {
            return String.format(Locale.ROOT, "sliding window of %,d tokens on all %d layers (sliding_window)", window,
                    layers);
        }
        return String.format(Locale.ROOT, "%d layers with a sliding window of %,d tokens, %d with full attention",
                sliding, window, layers - sliding);
    }
}
