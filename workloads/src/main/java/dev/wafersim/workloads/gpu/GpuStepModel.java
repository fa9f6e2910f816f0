package dev.wafersim.workloads.gpu;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.fabric.gpu.DataType;
import dev.wafersim.fabric.gpu.GpuCluster;
import dev.wafersim.fabric.gpu.GpuParams;
import dev.wafersim.fabric.gpu.GpuProgram;
import dev.wafersim.fabric.gpu.GpuRunResult;
import dev.wafersim.fabric.gpu.TimeCategory;
import dev.wafersim.workloads.model.DecodeWorkload;
import dev.wafersim.workloads.model.ForwardStep;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.DeviceActivity;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import java.util.Locale;
import java.util.Objects;

/**
 * A GPU cluster as a serving replay sees it: the simulated time of any forward pass
 * ({@link ForwardBatch}) and the KV cache the layout holds. Each call builds the pass's op graph
 * ({@link ForwardStep}), maps it onto the cluster as decode does ({@code GpuDecodeMapping}, the configured
 * software stack included) and runs it on the discrete-event GPU model; nothing is memoized (the serving
 * layer does). A 70B TP8 pass is about 7,000 program items, a few ms.
 */
public final class GpuStepModel implements StepModel {
    /*
     * Layout: as run chooses it (GpuDecodeSimulator.plan for given or smallest-fit counts, search for
     * --gpus auto), for one sequence of maxPositions positions; the layout must then hold at least that
     * sequence's KV cache next to the weights and the full activation reserve, else the request is rejected.
     *
     * Activation reserve: buffers for passes of up to maxSequences + serving.prefillChunkTokens new
     * tokens (a full decode batch plus one prefill chunk), with logits for maxSequences rows
     * (GpuMemoryPlan's per-row formula). KV capacity in tokens: per stage, (usable HBM - weights -
     * activation reserve) / the KV bytes one token takes on that stage's GPUs, the smallest over stages
     * (GpuMemoryPlan.kvCapacityTokens). A pass whose new tokens exceed the reserve, or whose rows hold more
     * positions in all than the capacity, is rejected.
     *
     * Time: latency is the pass's wall time on the cluster (for pp > 1 it includes the sampled token ids'
     * trip back to stage 0, as in decode); the breakdown is that of the GPU with the least idle time, so it
     * sums to the latency. Interval: the busiest pipeline stage, i.e. the largest non-idle time of any GPU
     * (with pp = 1 the latency itself).
     */

    private final GpuParams params;
    private final ModelSpec model;
    private final StepModelRequest request;
    private final GpuOptions options;
    private final GpuLayout layout;
    private final GpuCluster cluster;
    private final GpuDecodeMapping mapping;
    private final long kvCapacityTokens;
    private final long maxPassTokens;
    private final String machine;

    /**
     * The step model of {@code request}'s GPU cluster.
     *
     * @throws ConfigException when the model does not fit or the layout is not allowed
     */
    public GpuStepModel(StepModelRequest request) {
        this.request = Objects.requireNonNull(request, "request");
        this.options = request.options(GpuOptions.class);
        this.params = GpuParams.from(request.params());
        this.model = request.model();
        if (options.computeType() == DataType.FP8 && params.peakFp8FlopsPerSec() == 0) {
            throw new ConfigException("precision fp8 is not allowed on " + params.presetName()
                    + ": it has no FP8 tensor cores (gpu.peakFp8Tflops=0); expected bf16, or a GPU with FP8");
        }
        DecodeWorkload sizing = new DecodeWorkload(1, Math.max(1, request.maxPositions() - 1), 1, request.precision(),
                request.routing());
        GpuDecodeSimulator.Plan plan = options.search() ? GpuDecodeSimulator.search(model, sizing, params, options)
                : GpuDecodeSimulator.plan(model, sizing, params, options);
        this.layout = plan.layout();
        this.maxPassTokens = (long) request.maxSequences() + params.stack().prefillChunkTokens();
        GpuMemoryPlan reserve = GpuMemoryPlan.of(model, request.precision(), layout, options.replicatedLmHead(),
                0, 0, maxPassTokens, request.maxSequences());
        this.kvCapacityTokens = reserve.kvCapacityTokens(params.hbm());
        if (kvCapacityTokens < request.maxPositions()) {
            throw new ConfigException(String.format(Locale.ROOT, "%s on %s holds %d tokens of KV cache after the weights"
                            + " and the activation reserve for %d tokens per pass; expected room for at least one sequence of"
                            + " %d positions (fewer serving.maxRunningSequences, a smaller serving.prefillChunkTokens or"
                            + " more GPUs)", model.name(), layout, kvCapacityTokens, maxPassTokens,
                    request.maxPositions()));
        }
        this.cluster = new GpuCluster(params, layout.gpus());
        this.mapping = new GpuDecodeMapping(cluster, layout, model, request.precision(), options.computeType(),
                options.replicatedLmHead());
        String compute = options.computeType().name().toLowerCase(Locale.ROOT);
        String lmHead = options.replicatedLmHead() ? "replicated" : "vocab-parallel";
        this.machine = GpuDecodeSimulator.machineLine(cluster, layout, GpuDecodeSimulator.allReduceAlgorithm(cluster,
                layout, model, 1), compute, lmHead);
    }

    @Override
    public StepTime time(ForwardBatch batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.totalNewTokens() > maxPassTokens) {
            throw new ConfigException(String.format(Locale.ROOT, "a pass of %d new tokens is more than the activation"
                            + " reserve of %d tokens (serving.maxRunningSequences + serving.prefillChunkTokens)",
                    batch.totalNewTokens(), maxPassTokens));
        }
        long positions = 0;
        long[] cached = new long[batch.sequences()];
        int[] fresh = new int[batch.sequences()];
        int[] logits = new int[batch.sequences()];
        for (int i = 0; i < cached.length; i++) {
            cached[i] = batch.cachedTokens(i);
            fresh[i] = batch.newTokens(i);
            logits[i] = batch.logitTokens(i);
            positions += batch.positionsAfter(i);
        }
        if (positions > kvCapacityTokens) {
            throw new ConfigException(String.format(Locale.ROOT, "a pass whose rows hold %d positions in all does not fit"
                    + " the KV cache of %d tokens on %s", positions, kvCapacityTokens, layout));
        }
        ForwardStep pass = ForwardStep.build(model, request.precision(), cached, fresh, logits, request.routing());
        GpuProgram program = mapping.program(pass);
        GpuRunResult r = cluster.run(program);
        int critical = GpuDecodeSimulator.leastIdleGpu(r);
        long[] breakdown = new long[LatencyCategory.values().length];
        for (TimeCategory c : TimeCategory.values()) {
            breakdown[GpuDecodeSimulator.latencyCategory(c).ordinal()] += r.timePs(critical, c);
        }
        long busiest = 0;
        for (int g = 0; g < r.gpuCount(); g++) {
            busiest = Math.max(busiest, r.endPs() - r.timePs(g, TimeCategory.IDLE));
        }
        DeviceActivity.Builder busy = new DeviceActivity.Builder();
        GpuDecodeSimulator.addActivity(busy, r);
        long[] busyPs = busy.build(r.gpuCount(), r.endPs()).statePs();
        busyPs[PowerState.IDLE.ordinal()] = 0;
        return new StepTime(r.endPs(), Math.max(1, Math.min(busiest, r.endPs())), breakdown, busyPs);
    }

    @Override
    public long kvCapacityTokens() {
        return kvCapacityTokens;
    }

    @Override
    public int maxPassesInFlight() {
        return layout.pp();
    }

    @Override
    public int devices() {
        return layout.gpus();
    }

    @Override
    public String machine() {
        return machine;
    }

    /** The layout the model runs on. */
    public GpuLayout layout() {
        return layout;
    }

    /** Prompt tokens per prefill pass of this stack ({@code serving.prefillChunkTokens}). */
    public int prefillChunkTokens() {
        return params.stack().prefillChunkTokens();
    }
}
