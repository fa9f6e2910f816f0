package dev.wafersim.cli.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code wafersim explain} reports: the ratio of B's per-token latency to A's, the steps of swaps that
 * took it apart, and the factors (each step's ratio before over after; the last, {@code remaining}, the ratio
 * left), which multiply to the ratio. Text: one line per step, then the factors' product. JSON: {@code ratio},
 * {@code factors} (a list of {@code name}, {@code factor}, ...), {@code steps}. CSV: one row per step.
 *
 * @param model                the model
 * @param systemA              system A (the faster one when the ratio is above 1)
 * @param systemB              system B
 * @param mode                 decode run or serving replay, with its workload
 * @param metric               what the ratio is of
 * @param ratio                B's per-token latency over A's, as given
 * @param tokensPerSecondRatio A's tokens/s per user over B's (client-observed per request in serve mode)
 * @param order                the swaps in the order they were tried
 * @param factors              the factors, in order, the last {@code remaining}; their product is {@code ratio}
 * @param steps                the runs: the start and one after each swap that changed something
 */
@JsonPropertyOrder({"model", "systemA", "systemB", "mode", "metric", "ratio", "tokensPerSecondRatio", "order", "factors",
    "steps"})
public record ExplainReport(String model, String systemA, String systemB, String mode, String metric, double ratio,
                            double tokensPerSecondRatio, List<String> order, List<FactorJson> factors, List<Step> steps)
        implements Report {
    /** The name of the last factor. */
    public static final String REMAINING = "remaining";

    public ExplainReport {
        order = List.copyOf(order);
        factors = List.copyOf(factors);
        steps = List.copyOf(steps);
    }

    /**
     * One run of both systems.
     *
     * @param factor           the swap applied before this run ({@code start} for the first)
     * @param description      what the swap changed
     * @param aMs              A's per-token latency, ms
     * @param bMs              B's per-token latency, ms
     * @param aTokensPerSecond A's tokens/s per user
     * @param bTokensPerSecond B's tokens/s per user
     */
    public record Step(String factor, String description, double aMs, double bMs, double aTokensPerSecond,
                       double bTokensPerSecond) {
        /** B's per-token latency over A's. */
        public double ratio() {
            return bMs / aMs;
        }

        /** A's tokens/s over B's. */
        public double tokensPerSecondRatio() {
            return aTokensPerSecond / bTokensPerSecond;
        }
    }

    /**
     * One factor.
     *
     * @param name                  the swap, or {@code remaining}
     * @param factor                the ratio before the swap over the ratio after ({@code remaining}: the ratio left)
     * @param tokensPerSecondFactor the same for the tokens/s ratio
     * @param description           what the swap changed
     */
    public record FactorJson(String name, double factor, double tokensPerSecondFactor, String description) {
    }

    /** The report of {@code steps} (the first the start). */
    public static ExplainReport of(String model, String a, String b, String mode, boolean serveMode, List<Step> steps,
                                   List<String> order) {
        List<FactorJson> f = new ArrayList<>();
        for (int i = 1; i < steps.size(); i++) {
            Step before = steps.get(i - 1);
            Step after = steps.get(i);
            f.add(new FactorJson(after.factor(), before.ratio() / after.ratio(),
                    before.tokensPerSecondRatio() / after.tokensPerSecondRatio(), after.description()));
        }
        Step last = steps.get(steps.size() - 1);
        f.add(new FactorJson(REMAINING, last.ratio(), last.tokensPerSecondRatio(), "what is left after every swap"));
        String metric = serveMode ? "mean client-observed time per output token (ms); tokens/s: mean over requests of"
                + " output tokens / client E2E" : "mean per-token latency of the decode run (ms); tokens/s per user";
        return new ExplainReport(model, a, b, mode, metric, steps.get(0).ratio(), steps.get(0).tokensPerSecondRatio(),
                order, f, steps);
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "explain %s: %s over %s (%s)%n", model, systemB, systemA, mode));
        sb.append(String.format(Locale.ROOT, "per-token latency ratio %.3f; tokens/s ratio %.3f%n%n", ratio,
                tokensPerSecondRatio));
        sb.append(table().text(""));
        sb.append(System.lineSeparator());
        double product = 1;
        double tps = 1;
        StringBuilder names = new StringBuilder();
        for (FactorJson f : factors) {
            product *= f.factor();
            tps *= f.tokensPerSecondFactor();
            names.append(names.length() == 0 ? "" : " x ").append(String.format(Locale.ROOT, "%.3f (%s)", f.factor(),
                    f.name()));
        }
        sb.append(String.format(Locale.ROOT, "factors: %s = %.3f, the ratio%n", names, product));
        sb.append(String.format(Locale.ROOT, "tokens/s factors multiply to %.3f%n", tps));
        sb.append("note: each factor is the ratio before its swap over the ratio after; swaps apply cumulatively in the"
                + " order shown, and another order (--order) gives other factors for the same product.")
                .append(System.lineSeparator());
        return sb.toString();
    }

    @Override
    public Object json() {
        return this;
    }

    @Override
    public Table table() {
        Table t = Table.builder().text("factor").number("a_ms", systemA + " ms", "%.4f")
                .number("b_ms", systemB + " ms", "%.4f").number("ratio", "ratio", "%.3f")
                .number("factor_value", "factor", "%.3f").number("a_tokens_per_s", "A tok/s", "%.1f")
                .number("b_tokens_per_s", "B tok/s", "%.1f").number("tokens_per_s_factor", "tok/s factor", "%.3f")
                .text("swap", "what changed").build();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            Double f = i == 0 ? null : factors.get(i - 1).factor();
            Double g = i == 0 ? null : factors.get(i - 1).tokensPerSecondFactor();
            t.row(s.factor(), s.aMs(), s.bMs(), s.ratio(), f, s.aTokensPerSecond(), s.bTokensPerSecond(), g,
                    s.description());
        }
        FactorJson last = factors.get(factors.size() - 1);
        t.row(REMAINING, null, null, null, last.factor(), null, null, last.tokensPerSecondFactor(), last.description());
        return t;
    }
}
