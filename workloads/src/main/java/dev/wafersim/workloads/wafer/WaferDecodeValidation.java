package dev.wafersim.workloads.wafer;

import dev.wafersim.core.config.ParamSet;
import dev.wafersim.fabric.validation.CalibrationPoint;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.run.DecodeRequest;
import dev.wafersim.workloads.run.DecodeResult;
import dev.wafersim.workloads.run.WaferOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * Validation of the wafer decode model against published Cerebras figures (the project reference
 * decode-measurements.csv). Nothing in the wafer presets or the mapping was tuned on these points.
 *
 * <ul>
 * <li>C1: Llama 3.1 8B on one CS-3 at 1,800 output tokens per second per user (Cerebras, "Introducing
 *     Cerebras Inference", Aug 2024). Simulated with the {@code wafersim run} defaults' context
 *     (4,096 tokens), batch 1, 16 tokens (default mode reuses layer simulations, so the per-token
 *     figure equals that of 128 tokens). Band: 25%, set before the first run: the published rate is
 *     a service measurement that includes host I/O, sampling and scheduling, which the simulator does
 *     not model (it would make the simulator look fast), and the WSE-3's clock is not published
 *     (0.875 GHz here; 1.1 GHz would be 26% faster).</li>
 * <li>C1b: Llama 3.1 70B at 16 bits is served on 4 CS-3 (Cerebras launch, Hot Chips 2024): the
 *     number of wafers the default strategy needs. Band: exact (an integer).</li>
 * <li>C2: Llama 3.1 70B on those 4 CS-3 at 450 output tokens per second per user (the same launch
 *     post as C1: "1,800 tokens per second for Llama3.1 8B and 450 tokens per second for Llama3.1
 *     70B"; the project reference lists only the deployment, C1b). Simulated like C1 on the wafer
 *     count the default strategy picks, 2 tokens at a 4,096-token context (generating 128 tokens
 *     lowers the rate by about 2% as the cache grows). Band: 25%, for the reasons of C1. Later Cerebras figures for the same
 *     model (2,100 tokens/s from Oct 2024) came with software changes, reportedly speculative
 *     decoding, that the simulator does not model; they are not comparison points.</li>
 * </ul>
 */
public final class WaferDecodeValidation {
    private WaferDecodeValidation() {
    }

    /** Runs the points with the shipped presets. */
    public static List<CalibrationPoint> points() {
        List<CalibrationPoint> out = new ArrayList<>();
        ParamSet ps = WaferDecodeSimulator.load("wse3");
        ModelSpec m8 = ModelCatalog.get("llama-3.1-8b");
        DecodeResult r = WaferDecodeSimulator.INSTANCE.simulate(new DecodeRequest("wse3", ps, m8,
                DecodeWorkload.of(1, 4096, 16), new WaferOptions(0, false)));
        out.add(new CalibrationPoint("C1 llama-3.1-8b 1xCS-3 tok/s", "wse3", "decode rate per user, batch 1", "tok/s",
                1800, r.tokensPerSecond(), false, 25, false,
                "Cerebras, Introducing Cerebras Inference (Aug 2024); reference decode-measurements.csv C1",
                "simulated at a 4,096-token context; host I/O and sampling not modelled"));
        ModelSpec m70 = ModelCatalog.get("llama-3.1-70b");
        Placement p = MappingStrategies.get("layer-regions").place(m70, DecodeWorkload.of(1, 4096, 128),
                WaferDecodeConfig.from(ps), 0);
        out.add(new CalibrationPoint("C1b llama-3.1-70b wafers", "wse3", "wafers needed at 16 bits", "wafers", 4,
                p.wafers().size(), false, 0.5, false,
                "Cerebras launch (Aug 2024) and Hot Chips 2024 coverage; reference decode-measurements.csv C1b",
                "smallest wafer count of the default layer-regions strategy, 4,096 + 128 tokens"));
        DecodeResult r70 = WaferDecodeSimulator.INSTANCE.simulate(new DecodeRequest("wse3", ps, m70,
                DecodeWorkload.of(1, 4096, 2), new WaferOptions(0, false)));
        out.add(new CalibrationPoint("C2 llama-3.1-70b 4xCS-3 tok/s", "wse3", "decode rate per user, batch 1", "tok/s",
                450, r70.tokensPerSecond(), false, 25, false,
                "Cerebras, Introducing Cerebras Inference (Aug 2024): 450 tokens/s for Llama3.1 70B",
                "simulated at a 4,096-token context on the default strategy's wafer count; host I/O and sampling"
                + " not modelled"));
        return out;
    }
}
