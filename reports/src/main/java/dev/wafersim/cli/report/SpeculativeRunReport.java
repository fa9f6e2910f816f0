package dev.wafersim.cli.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.wafersim.workloads.run.ResultFile;
import dev.wafersim.workloads.speculative.SpeculativeDecode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code wafersim run --speculative}: the plain decode run's report ({@link RunReport}) and the same workload
 * decoded speculatively. Text: the run's lines, then one paragraph on the speculative run. JSON: the run's
 * result file with a {@code speculative} object ({@link SpeculativeDecode.Result}: {@code tokensPerVerifyStep},
 * {@code msPerToken}, {@code tokensPerSecondPerUser}, the draft's share, ...) and {@code speculativeSpeedup}
 * (plain ms/token over speculative ms/token). CSV: the run's row with {@code speculative_*} columns.
 *
 * @param base   the plain decode run
 * @param result the speculative run
 * @param draft  the draft as given
 */
public record SpeculativeRunReport(RunReport base, SpeculativeDecode.Result result, String draft) implements Report {
    public SpeculativeRunReport {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(result, "result");
    }

    /** The run's result file with the speculative run. */
    @JsonPropertyOrder({"result", "speculativeSpeedup", "speculative"})
    public record Json(@JsonUnwrapped ResultFile result, double speculativeSpeedup, Speculative speculative) {
    }

    /**
     * The speculative run as JSON: the draft and {@link SpeculativeDecode.Result}'s fields.
     *
     * @param draft  the draft model
     * @param result the run
     */
    public record Speculative(String draft, @JsonUnwrapped SpeculativeDecode.Result result) {
    }

    /** Plain ms/token over speculative ms/token. */
    public double speedup() {
        return base.result().meanMs() / result.msPerToken();
    }

    @Override
    public String text() {
        SpeculativeDecode.Result r = result;
        String plain = base.text();
        int cut = plain.lastIndexOf("simulated ");
        StringBuilder sb = new StringBuilder(cut < 0 ? plain : plain.substring(0, cut));
        sb.append(String.format(Locale.ROOT, "speculative draft %s, k=%d, acceptance=%s, placement %s:%n", draft, r.k(),
                r.acceptance(), r.placement()));
        sb.append(String.format(Locale.ROOT, "  %.3f tokens per verify step (accepted drafts + 1; closed form %.3f),"
                        + " %d verify steps%n", r.tokensPerVerifyStep(), r.expectedTokensPerVerifyStep(), r.steps()));
        sb.append(String.format(Locale.ROOT, "  %.3f ms/token effective, %.1f tokens/s per user, %.1f in total: %.2fx the"
                        + " plain decode's %.3f ms/token%n", r.msPerToken(), r.tokensPerSecondPerUser(),
                r.tokensPerSecondTotal(), speedup(), base.result().meanMs()));
        sb.append(String.format(Locale.ROOT, "  draft %.1f%% of the time (%.3f ms of draft and %.3f ms of verify passes)%n",
                100 * r.draftShare(), r.draftMs(), r.verifyMs()));
        if (cut >= 0) {
            sb.append(plain.substring(cut));
        }
        return sb.toString();
    }

    @Override
    public Object json() {
        return new Json(base.json(), speedup(), new Speculative(draft, result));
    }

    @Override
    public Table table() {
        ResultColumns cols = ResultColumns.all();
        Table t = cols.declare(Table.builder())
                .text("speculative_draft")
                .number("speculative_k", "k", "%d")
                .text("speculative_acceptance")
                .text("speculative_placement")
                .number("speculative_tokens_per_verify_step", "tokens/step", "%.3f")
                .number("speculative_ms_per_token", "ms/token", "%.3f")
                .number("speculative_tokens_per_second_per_user", "tok/s/user", "%.1f")
                .number("speculative_draft_share", "draft share", "%.3f")
                .number("speculative_speedup", "speed-up", "%.3f")
                .build();
        List<Object> cells = new ArrayList<>(cols.cells(base.experiment(), base.result(), base.ttft()));
        cells.add(draft);
        cells.add(result.k());
        cells.add(result.acceptance());
        cells.add(result.placement());
        cells.add(result.tokensPerVerifyStep());
        cells.add(result.msPerToken());
        cells.add(result.tokensPerSecondPerUser());
        cells.add(result.draftShare());
        cells.add(speedup());
        return t.row(cells.toArray());
    }
}
