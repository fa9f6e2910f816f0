package dev.wafersim.workloads.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wafersim.workloads.client.ClientParams;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.speculative.AcceptanceProcess;
import dev.wafersim.workloads.speculative.SpeculativeSpec;
import dev.wafersim.workloads.speculative.SpeculativeStepModel;
import org.junit.jupiter.api.Test;

/** Speculative decoding in a replay: verify steps timed with their draft passes, tokens kept by the acceptance. */
class SpeculativeReplayTest {
    private static final long MS = 1_000_000_000L;
    private static final ModelSpec TARGET = ModelCatalog.resolve("llama-3.1-8b");

    private static SpeculativeStepModel pair(int k, long targetPs, long draftPs) {
        SpeculativeSpec spec = SpeculativeSpec.parse("draft=llama-3.2-1b,k=" + k + ",acceptance=0.5,placement=separate",
                "--speculative", TARGET);
        return new SpeculativeStepModel(ClosedFormStepModel.constant(targetPs, 10_000_000),
                ClosedFormStepModel.constant(draftPs, 10_000_000), TARGET, spec, Precision.DEFAULT, 100_000);
    }

    @Test
    void replay_allDraftsAccepted_eachVerifyStepGivesKPlusOneTokens() {
        // K = 3, every draft accepted. Prefill: the target's 10 ms after the draft's 1 ms prefill pass: token 1 at
        // 11 ms. Each verify step: 3 draft passes (3 ms) then the target (10 ms) = 13 ms for 4 tokens, so tokens 2-5
        // at 24 ms and 6-9 at 37 ms.
        SpeculativeStepModel m = pair(3, 10 * MS, MS);
        ReplayOptions o = new ReplayOptions(ClientParams.none(), AcceptanceProcess.constant(1, 3, 1));
        RequestTrace t = RequestTrace.of(new long[] {0}, new int[] {100}, new int[] {9}, "one");
        ServingParams p = ServingParams.defaultParams();
        ServingResult r = ServingReplay.run(t, ServingReplay.stepTimes(m, p, true, 4), p, o);
        assertEquals(11 * MS, r.ttftPs(0));
        assertEquals(37 * MS, r.e2ePs(0));
        assertEquals(26.0 * MS / 8, r.tpotPs(0), 1e-6);
        assertEquals(2, r.verifySteps());
        assertEquals(4.0, r.tokensPerVerifyStep(), 0);
    }

    @Test
    void replay_referenceAnchor_meanTokensPerVerifyStepIsTheClosedForm() {
        // k = 4, a = 0.675: (1 - 0.675^5) / (1 - 0.675) = 2.6526 (reference serving.md: 2.65).
        SpeculativeStepModel m = pair(4, 10 * MS, MS);
        AcceptanceProcess a = AcceptanceProcess.constant(0.675, 4, 5);
        ReplayOptions o = new ReplayOptions(ClientParams.none(), a);
        RequestTrace t = new SyntheticWorkload(200, ArrivalProcess.parse("poisson"),
                LengthDistribution.parse("fixed:200", "p"), LengthDistribution.parse("fixed:500", "o"), 2).trace(50);
        ServingParams p = ServingParams.defaultParams();
        ServingResult r = ServingReplay.run(t, ServingReplay.stepTimes(m, p, false, 5), p, o);
        double e = (1 - Math.pow(0.675, 5)) / (1 - 0.675);
        // Var(T) for T = 1 + accepted: E[T^2] = sum_{t=1..5} (2t - 1) 0.675^(t-1) = 9.2716...; sigma of the mean over
        // about 200 x 499 / 2.65 = 37,700 steps is 0.0068; 4 sigma = 0.027.
        double second = 0;
        for (int i = 1; i <= 5; i++) {
            second += (2 * i - 1) * Math.pow(0.675, i - 1);
        }
        double sigma = Math.sqrt((second - e * e) / r.verifySteps());
        assertEquals(e, r.tokensPerVerifyStep(), 4 * sigma);
        assertEquals(2.65, e, 0.005);
        assertEquals(200, r.completedRequests());
    }
}
