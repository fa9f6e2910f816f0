package dev.wafersim.workloads.speculative;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.step.ForwardBatch;
import java.util.Arrays;
import java.util.Objects;

/**
 * A decode run with speculative decoding ({@code wafersim run --speculative}): {@code batch} sequences with
 * {@code context} tokens cached each generate {@code tokens} tokens, step by step. Every step is one verify
 * pass of the target over the sequences still generating ({@code new = logits = K + 1} each) with the
 * draft's K passes before it, simulated exactly by the pair's step models ({@link SpeculativeStepModel#parts});
 * the {@link AcceptanceProcess} then decides, per sequence, how many drafts are kept: a sequence with
 * {@code a} accepted gains {@code a + 1} tokens (at most what it still needs) and {@code a + 1} cached
 * positions. A sequence that has all its tokens leaves the batch.
 *
 * <p>Per-user figures: a sequence's effective time per token is the time its last token is out divided by
 * {@code tokens}; the run reports their mean. Without pipelining in a single batch, a separate draft cannot
 * overlap its target (each sequence's drafts need its previous verify step), so a step takes the draft's time
 * plus the target's in either placement; placement changes the memory and the devices.
 */
public final class SpeculativeDecode {
    private SpeculativeDecode() {
    }

    /**
     * The result of a speculative decode run.
     *
     * @param batch                       sequences
     * @param contextTokens               tokens cached per sequence at the start
     * @param tokens                      tokens generated per sequence
     * @param k                           drafts per verify step
     * @param acceptance                  the rate, or a1/a2/...
     * @param placement                   same or separate
     * @param steps                       verify steps (passes of the target)
     * @param verifyRows                  verify rows over all steps (a sequence's step)
     * @param acceptedDrafts              drafts accepted over all rows
     * @param tokensPerVerifyStep         accepted drafts plus the step's own token, per row (before the end cuts
     *                                    a sequence's last step short)
     * @param expectedTokensPerVerifyStep the closed form for the rates
     * @param draftMs                     the draft's passes over the run, ms
     * @param verifyMs                    the target's verify passes over the run, ms
     * @param totalMs                     the run, ms (draft plus verify)
     * @param msPerToken                  mean over sequences of (time its last token is out) / tokens, ms
     * @param tokensPerSecondPerUser      {@code 1000 / msPerToken}
     * @param tokensPerSecondTotal        {@code batch x tokens / totalMs x 1000}
     * @param draftShare                  {@code draftMs / totalMs}
     */
    public record Result(int batch, long contextTokens, int tokens, int k, String acceptance, String placement, long steps,
                         long verifyRows, long acceptedDrafts, double tokensPerVerifyStep,
                         double expectedTokensPerVerifyStep, double draftMs, double verifyMs, double totalMs,
                         double msPerToken, double tokensPerSecondPerUser, double tokensPerSecondTotal,
                         double draftShare) {
    }

    /**
     * Runs the decode.
     *
     * @throws ConfigException for a batch, context or token count below 1, or a pass the machine cannot take
     */
    public static Result run(SpeculativeStepModel model, AcceptanceProcess acceptance, int batch, long context,
                             int tokens) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(acceptance, "acceptance");
        if (batch < 1 || context < 1 || tokens < 1) {
            throw new ConfigException("a speculative decode needs batch, context and tokens >= 1 (got " + batch + ", "
                    + context + ", " + tokens + ")");
        }
        if (acceptance.k() != model.k()) {
            throw new IllegalArgumentException("acceptance has " + acceptance.k() + " positions, the model k=" + model.k());
        }
        int k = model.k();
        long[] cached = new long[batch];
        Arrays.fill(cached, context);
        int[] produced = new int[batch];
        int[] step = new int[batch];
        long[] doneAtPs = new long[batch];
        long now = 0;
        long draftPs = 0;
        long verifyPs = 0;
        long steps = 0;
        long rows = 0;
        long accepted = 0;
        int active = batch;
        int[] index = new int[batch];
        while (active > 0) {
            long[] c = new long[active];
            int[] w = new int[active];
            int m = 0;
            for (int i = 0; i < batch; i++) {
                if (produced[i] < tokens) {
                    index[m] = i;
                    c[m++] = cached[i];
                }
            }
            Arrays.fill(w, k + 1);
            SpeculativeStepModel.Parts parts = model.parts(ForwardBatch.of(c, w, w));
            long stepPs = parts.draftLatencyPs() + parts.target().latencyPs();
            draftPs += parts.draftLatencyPs();
            verifyPs += parts.target().latencyPs();
            now += stepPs;
            steps++;
            for (int j = 0; j < m; j++) {
                int i = index[j];
                int a = acceptance.accepted(i, step[i]++);
                rows++;
                accepted += a;
                cached[i] += a + 1;
                produced[i] = Math.min(tokens, produced[i] + a + 1);
                if (produced[i] == tokens) {
                    doneAtPs[i] = now;
                    active--;
                }
            }
        }
        double sumPerToken = 0;
        for (long d : doneAtPs) {
            sumPerToken += d / 1e9 / tokens;
        }
        double msPerToken = sumPerToken / batch;
        double totalMs = now / 1e9;
        return new Result(batch, context, tokens, k, acceptance.toString(), model.placement().word(), steps, rows,
                accepted, (accepted + rows) / (double) rows, acceptance.expectedTokensPerStep(), draftPs / 1e9,
                verifyPs / 1e9, totalMs, msPerToken, 1000 / msPerToken, (double) batch * tokens / totalMs * 1000,
                draftPs / (double) now);
    }
}
