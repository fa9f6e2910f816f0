package dev.wafersim.workloads.scratch;

import dev.wafersim.workloads.model.ExpertRouting;
import dev.wafersim.workloads.model.ModelCatalog;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.SystemCatalog;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import dev.wafersim.workloads.step.TimeToFirstToken;
import org.junit.jupiter.api.Test;

class ScratchProbeTest {
    @Test
    void probe() {
        String model = System.getProperty("probe.model", "llama-3.2-1b");
        long prompt = Long.getLong("probe.prompt", 2048);
        StepModelRequest r = new StepModelRequest("wse3", SystemCatalog.get("wse3").load(), ModelCatalog.get(model),
                Precision.DEFAULT, ExpertRouting.UNIFORM_EXPECTED, new WaferOptions(WaferOptions.AUTO, false), 1,
                prompt + 1);
        long t0 = System.nanoTime();
        dev.wafersim.workloads.wafer.WaferStepModel m = (dev.wafersim.workloads.wafer.WaferStepModel)
                SystemCatalog.get("wse3").stepModel(r);
        System.out.println("machine " + m.machine() + " kv " + m.kvCapacityTokens() + " build " + (System.nanoTime() - t0) / 1e9);
        for (long at : new long[] {0, prompt - 16}) {
            t0 = System.nanoTime();
            StepTime c = m.time(ForwardBatch.prefill(at, 16, false));
            System.out.println("chunk16 at " + at + ": " + c.latencyPs() / 1e6 + " us interval " + c.intervalPs() / 1e6 + " wall " + (System.nanoTime() - t0) / 1e9 + " eps " + m.simulatedEpisodes());
        }
    }
}
