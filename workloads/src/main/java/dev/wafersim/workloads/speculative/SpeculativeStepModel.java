package dev.wafersim.workloads.speculative;

import dev.wafersim.core.config.ConfigException;
import dev.wafersim.workloads.gpu.GpuStepModel;
import dev.wafersim.workloads.model.ModelSpec;
import dev.wafersim.workloads.model.Precision;
import dev.wafersim.workloads.run.GpuOptions;
import dev.wafersim.workloads.run.LatencyCategory;
import dev.wafersim.workloads.run.MachineOptions;
import dev.wafersim.workloads.run.PowerState;
import dev.wafersim.workloads.run.WaferOptions;
import dev.wafersim.workloads.step.ForwardBatch;
import dev.wafersim.workloads.step.StepModel;
import dev.wafersim.workloads.step.StepModelRequest;
import dev.wafersim.workloads.step.StepTime;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * A target model and its draft as one machine: a pass of the target ({@link ForwardBatch}) whose verify rows
 * ({@code new = logits = K + 1}) each need K drafted tokens, timed with the draft's passes that precede it.
 * Both times come from the models' own step models on the system; nothing here is a formula for a pass.
 *
 * <p>The draft's work for a target pass: one draft pass holding every non-verify row of the target pass as
 * it is (the draft prefills the same prompt chunks, to have their K and V) and, per verify row with
 * {@code c} cached tokens, a row of one token after {@code c} (the last accepted token, from which it drafts
 * the first token); then K - 1 passes of one token per verify row ({@code c + 1}, ..., {@code c + K - 1}
 * cached). After a step whose K drafts were all accepted a real draft also lacks the last draft token's K and
 * V and feeds it in its first pass (2 tokens); the model feeds 1 (in a memory-bound decode pass the second
 * token's cost is small).
 *
 * <p>Placement ({@link SpeculativeSpec.Placement}):
 * <ul>
 *   <li>{@code same}: the draft runs on the target's devices (GPU: the target's tp x pp; wafer: its wafers).
 *       The pass's latency and pipeline interval are the draft's passes plus the target's. The draft's weights
 *       and KV cache come out of the target's KV cache: with {@code C} the target's capacity in tokens,
 *       {@code b_t}, {@code b_d} the two models' KV bytes per token (all layers) and {@code W_d} the draft's
 *       weight bytes, the capacity becomes {@code (C b_t - W_d) / (b_t + b_d)} tokens, each token holding both
 *       caches (replication of KV heads beyond the KV-head count under tensor parallelism is not counted).</li>
 *   <li>{@code separate}: the draft runs on devices of its own (its smallest layout that holds it) as a
 *       pipeline stage ahead of the target: a pass enters the draft stage, then the target; its latency is
 *       still the sum, but the next pass may start as soon as both stages are free, so the interval is the
 *       larger of the draft's time and the target's interval, and one more pass is in flight. A serving
 *       replay's micro-batches then alternate between the stages (one group drafts while another verifies);
 *       one group alone sees no overlap (a sequence's drafts need its previous verify step). The KV capacity
 *       is the smaller of the two machines' (both hold every running sequence); devices add up.</li>
 * </ul>
 * The breakdown is the draft's passes' categories plus the target's, so it sums to the latency; busy device
 * time adds up too.
 */
public final class SpeculativeStepModel implements StepModel {
    private final StepModel target;
    private final StepModel draft;
    private final int k;
    private final SpeculativeSpec.Placement placement;
    private final long kvCapacityTokens;
    private final String machine;

    /**
     * The pair of {@code target} and {@code draft} step models.
     *
     * @param targetModel    the target's model (for the memory account)
     * @param precision      number formats of both
     * @param maxPositions   positions one sequence must be able to hold
     * @throws ConfigException when the draft's memory leaves the target no room for one sequence
     */
    public SpeculativeStepModel(StepModel target, StepModel draft, ModelSpec targetModel, SpeculativeSpec spec,
                                Precision precision, long maxPositions) {
        this.target = Objects.requireNonNull(target, "target");
        this.draft = Objects.requireNonNull(draft, "draft");
        this.k = spec.k();
        this.placement = spec.placement();
        if (placement == SpeculativeSpec.Placement.SAME) {
            double bt = kvBytesPerToken(targetModel, precision);
            double bd = kvBytesPerToken(spec.draft(), precision);
            double free = target.kvCapacityTokens() * bt - spec.draft().weightBytes(precision);
            this.kvCapacityTokens = (long) Math.floor(Math.max(0, free) / (bt + bd));
        } else {
            this.kvCapacityTokens = Math.min(target.kvCapacityTokens(), draft.kvCapacityTokens());
        }
        if (kvCapacityTokens < maxPositions) {
            throw new ConfigException(String.format(Locale.ROOT, "--speculative draft=%s (placement=%s) leaves %,d tokens"
                            + " of KV cache next to %s; expected room for at least one sequence of %,d positions (a smaller"
                            + " draft, placement=separate, or more devices)", spec.draftName(), placement.word(),
                    kvCapacityTokens, targetModel.name(), maxPositions));
        }
        this.machine = target.machine() + "; draft " + spec.draft().name() + " (k=" + k + ", placement "
                + placement.word() + (placement == SpeculativeSpec.Placement.SEPARATE ? " on " + draft.machine() : "")
                + ")";
    }

    /**
     * The pair for a target step-model request: the draft's step model comes from {@code models} for the same
     * system and parameters, on the target's layout ({@code same}) or on its own smallest layout
     * ({@code separate}).
     */
    public static SpeculativeStepModel of(StepModelRequest targetRequest, StepModel target, SpeculativeSpec spec,
                                          Function<StepModelRequest, StepModel> models) {
        MachineOptions options = draftOptions(targetRequest.options(), target, spec.placement());
        StepModelRequest dr = new StepModelRequest(targetRequest.system(), targetRequest.params(), spec.draft(),
                targetRequest.precision(), targetRequest.routing(), options, targetRequest.maxSequences(),
                targetRequest.maxPositions());
        StepModel d;
        try {
            d = models.apply(dr);
        } catch (ConfigException e) {
            throw new ConfigException("--speculative draft=" + spec.draftName() + " on " + targetRequest.system() + ": "
                    + e.getMessage(), e);
        }
        return new SpeculativeStepModel(target, d, targetRequest.model(), spec, targetRequest.precision(),
                targetRequest.maxPositions());
    }

    /** The draft's machine options: the target's layout for {@code same}, the system's automatic choice for {@code separate}. */
    static MachineOptions draftOptions(MachineOptions targetOptions, StepModel target, SpeculativeSpec.Placement p) {
        if (targetOptions instanceof GpuOptions g) {
            if (p == SpeculativeSpec.Placement.SEPARATE) {
                return new GpuOptions(GpuOptions.AUTO, GpuOptions.AUTO, GpuOptions.AUTO, g.computeType(),
                        g.replicatedLmHead());
            }
            if (target instanceof GpuStepModel gs) {
                return new GpuOptions(gs.layout().gpus(), gs.layout().tp(), gs.layout().pp(), g.computeType(),
                        g.replicatedLmHead());
            }
            return g;
        }
        WaferOptions w = (WaferOptions) targetOptions;
        return p == SpeculativeSpec.Placement.SEPARATE ? new WaferOptions(WaferOptions.AUTO, w.exact()) : w;
    }

    private static double kvBytesPerToken(ModelSpec m, Precision p) {
        return (double) m.kvBytesPerTokenPerLayer(p) * m.numLayers();
    }

    /**
     * The draft's passes for a target pass and the target's pass, separately.
     *
     * @param draftLatencyPs  the draft's passes' latencies summed, ps
     * @param draftIntervalPs their pipeline intervals summed, ps
     * @param draftBreakdown  their breakdowns summed, ps per {@link LatencyCategory}
     * @param draftBusy       their busy device time summed, ps per {@link PowerState}
     * @param draftPasses     the draft's passes
     * @param target          the target's pass
     */
    public record Parts(long draftLatencyPs, long draftIntervalPs, long[] draftBreakdown, long[] draftBusy,
                        int draftPasses, StepTime target) {
    }

    /** The draft's passes and the target's pass of {@code batch}, each from its own step model. */
    public Parts parts(ForwardBatch batch) {
        int n = batch.sequences();
        int verify = 0;
        for (int i = 0; i < n; i++) {
            if (isVerify(batch, i)) {
                verify++;
            }
        }
        long[] bd = new long[LatencyCategory.values().length];
        long[] busy = new long[PowerState.values().length];
        long lat = 0;
        long iv = 0;
        int passes = 0;
        // Pass 1: the non-verify rows as they are, and one token per verify row.
        long[] c = new long[n];
        int[] f = new int[n];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = batch.cachedTokens(i);
            boolean v = isVerify(batch, i);
            f[i] = v ? 1 : batch.newTokens(i);
            l[i] = v ? 1 : batch.logitTokens(i);
        }
        StepTime t = draft.time(ForwardBatch.of(c, f, l));
        lat += t.latencyPs();
        iv += t.intervalPs();
        add(bd, t.breakdownPs());
        add(busy, t.busyDevicePs());
        passes++;
        if (verify > 0) {
            long[] vc = new long[verify];
            int[] one = new int[verify];
            java.util.Arrays.fill(one, 1);
            for (int j = 1; j < k; j++) {
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (isVerify(batch, i)) {
                        vc[m++] = batch.cachedTokens(i) + j;
                    }
                }
                StepTime tj = draft.time(ForwardBatch.of(vc, one, one));
                lat += tj.latencyPs();
                iv += tj.intervalPs();
                add(bd, tj.breakdownPs());
                add(busy, tj.busyDevicePs());
                passes++;
            }
        }
        return new Parts(lat, iv, bd, busy, passes, target.time(batch));
    }

    /** The parts of a pass of {@code rows} verify rows (K + 1 tokens each) with {@code cachedTokens} cached each. */
    public Parts verifyPass(int rows, long cachedTokens) {
        int[] w = new int[Math.max(1, rows)];
        java.util.Arrays.fill(w, k + 1);
        long[] c = new long[w.length];
        java.util.Arrays.fill(c, Math.max(0, cachedTokens));
        return parts(ForwardBatch.of(c, w, w));
    }

    private boolean isVerify(ForwardBatch b, int i) {
        return b.newTokens(i) == k + 1 && b.logitTokens(i) == k + 1;
    }

    private static void add(long[] into, long[] v) {
        for (int i = 0; i < into.length; i++) {
            into[i] += v[i];
        }
    }

    @Override
    public StepTime time(ForwardBatch batch) {
        Parts p = parts(batch);
        StepTime t = p.target();
        long latency = p.draftLatencyPs() + t.latencyPs();
        long interval = placement == SpeculativeSpec.Placement.SAME ? p.draftIntervalPs() + t.intervalPs()
                : Math.max(p.draftLatencyPs(), t.intervalPs());
        long[] breakdown = t.breakdownPs();
        add(breakdown, p.draftBreakdown());
        long[] busy = t.busyDevicePs();
        add(busy, p.draftBusy());
        return new StepTime(latency, Math.min(latency, Math.max(1, interval)), breakdown, busy);
    }

    @Override
    public long kvCapacityTokens() {
        return kvCapacityTokens;
    }

    @Override
    public int maxPassesInFlight() {
        return target.maxPassesInFlight() + (placement == SpeculativeSpec.Placement.SEPARATE ? 1 : 0);
    }

    @Override
    public int devices() {
        return target.devices() + (placement == SpeculativeSpec.Placement.SEPARATE ? draft.devices() : 0);
    }

    @Override
    public String machine() {
        return machine;
    }

    /** The target's step model. */
    public StepModel target() {
        return target;
    }

    /** The draft's step model. */
    public StepModel draft() {
        return draft;
    }

    /** Drafts per verify step. */
    public int k() {
        return k;
    }

    /** Where the draft runs. */
    public SpeculativeSpec.Placement placement() {
        return placement;
    }
}
