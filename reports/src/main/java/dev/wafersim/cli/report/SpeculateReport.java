package dev.wafersim.cli.report;

import java.util.List;
import java.util.Locale;

/**
 * What {@code wafersim speculate} reports: for each system, the plain decode's tokens/s per user and, for every
 * K and acceptance rate swept, the speculative decode's figures. Text and CSV: one row per point; JSON: this
 * record.
 *
 * @param model     the target model
 * @param draft     the draft model
 * @param placement same or separate
 * @param workload  batch, context and tokens of the decode runs
 * @param systems   one entry per system
 */
public record SpeculateReport(String model, String draft, String placement, String workload, List<SystemPoints> systems)
        implements Report {
    public SpeculateReport {
        systems = List.copyOf(systems);
    }

    /**
     * One system's sweep.
     *
     * @param system                      the system as given
     * @param machine                     the target's machine line with the draft
     * @param plainMsPerToken             the plain decode's per-token latency, ms
     * @param plainTokensPerSecondPerUser the plain decode's tokens/s per user
     * @param points                      one per (K, acceptance)
     */
    public record SystemPoints(String system, String machine, double plainMsPerToken, double plainTokensPerSecondPerUser,
                               List<Point> points) {
        public SystemPoints {
            points = List.copyOf(points);
        }
    }

    /**
     * One point of the sweep.
     *
     * @param k                           drafts per verify step
     * @param acceptance                  the acceptance rate
     * @param tokensPerVerifyStep         simulated accepted drafts + 1 per verify step
     * @param expectedTokensPerVerifyStep {@code (1 - A^(K+1)) / (1 - A)}
     * @param msPerToken                  effective ms per token per user
     * @param tokensPerSecondPerUser      {@code 1000 / msPerToken}
     * @param speedup                     plain ms/token over speculative ms/token
     * @param draftShare                  the draft's share of the time
     */
    public record Point(int k, double acceptance, double tokensPerVerifyStep, double expectedTokensPerVerifyStep,
                        double msPerToken, double tokensPerSecondPerUser, double speedup, double draftShare) {
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "speculate %s with draft %s (placement %s): %s%n", model, draft, placement,
                workload));
        for (SystemPoints s : systems) {
            sb.append(String.format(Locale.ROOT, "  %s: %s; plain decode %.3f ms/token, %.1f tokens/s per user%n",
                    s.system(), s.machine(), s.plainMsPerToken(), s.plainTokensPerSecondPerUser()));
        }
        sb.append(System.lineSeparator()).append(table().text(""));
        sb.append("tokens/step = accepted drafts + 1 per verify step (closed form (1 - A^(K+1)) / (1 - A)); speed-up over"
                + " the plain decode of the same system.").append(System.lineSeparator());
        return sb.toString();
    }

    @Override
    public Object json() {
        return this;
    }

    @Override
    public Table table() {
        Table t = Table.builder().text("system").number("k", "k", "%d").number("acceptance", "A", "%.2f")
                .number("tokens_per_verify_step", "tokens/step", "%.3f")
                .number("expected_tokens_per_verify_step", "closed form", "%.3f")
                .number("ms_per_token", "ms/token", "%.3f").number("tokens_per_second_per_user", "tok/s/user", "%.1f")
                .number("speedup", "speed-up", "%.2f").number("draft_share", "draft share", "%.3f").build();
        for (SystemPoints s : systems) {
            for (Point p : s.points()) {
                t.row(s.system(), p.k(), p.acceptance(), p.tokensPerVerifyStep(), p.expectedTokensPerVerifyStep(),
                        p.msPerToken(), p.tokensPerSecondPerUser(), p.speedup(), p.draftShare());
            }
        }
        return t;
    }
}
