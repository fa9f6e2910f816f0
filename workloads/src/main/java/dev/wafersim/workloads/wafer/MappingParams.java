package dev.wafersim.workloads.wafer;

import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.config.PresetLoader;
import dev.wafersim.fabric.wafer.program.DType;

/**
 * The parameters of the transformer-to-wafer mapping: software choices of how decode is laid out,
 * with their defaults in {@code presets/mapping/wafer.yaml}.
 *
 * @param strategy             the named mapping strategy
 * @param accumulate           element type of GEMV partial sums (FP16 or MIXED = fp32 accumulation)
 * @param contextBucketTokens  spacing of the context lengths simulated in default mode, tokens
 * @param tokenSeed            seed of the token ids looked up in the embedding table
 * @param dequantPasses8bit    vector passes per weight column to widen 8-bit weights
 * @param dequantPasses4bit    vector passes per weight column to unpack 4-bit weights
 * @param rmsNormEpsilon       epsilon of RMSNorm (functional runs)
 * @param ropeTheta            rotary base (functional runs)
 * @param tilePadElements      weight-tile columns padded to a multiple of this many elements
 * @param reduction            how partial sums are reduced inside a layer: {@code chain} or {@code two-phase}
 * @param sequencesPerPass     sequences of a batch that go through a layer together (its working
 *                             buffers hold one pass's); larger batches run in several passes
 * @param passSchedule         {@code pipelined}: a pass enters the next region as soon as it leaves
 *                             this one; {@code layer-by-layer}: every pass of a region finishes first
 * @param simulatedPasses      default mode, pipelined passes: passes of a region simulated, the
 *                             others following at the last simulated interval
 * @param prefillChunkTokens   step model: prompt tokens per prefill pass (one forward pass of the
 *                             serving replay or of a time-to-first-token estimate), tokens
 * @param prefillPassTokens    step model: tokens of a prefill chunk that go through a layer together
 *                             (a sub-chunk); the chunk's sub-chunks stream pipelined through the regions
 * @param passesInFlight       step model: independent forward passes in the region pipeline at once
 * @param stepContextBucketTokens step model: spacing of the first contexts its episodes are simulated at, tokens
 * @param stepContextGrowth    step model: each spacing after the first is this many times the last, -
 */
public record MappingParams(String strategy, DType accumulate, int contextBucketTokens, long tokenSeed,
                            int dequantPasses8bit, int dequantPasses4bit, double rmsNormEpsilon, double ropeTheta,
                            int tilePadElements, String reduction, int sequencesPerPass, String passSchedule,
                            int simulatedPasses, int prefillChunkTokens, int prefillPassTokens,
                            int passesInFlight, int stepContextBucketTokens, double stepContextGrowth) {

    public static final String STRATEGY = "mapping.strategy";
    public static final String ACCUMULATE = "mapping.accumulate";
    public static final String BUCKET = "mapping.contextBucketTokens";
    public static final String SEED = "mapping.tokenSeed";
    public static final String DEQUANT8 = "mapping.dequantPasses8bit";
    public static final String DEQUANT4 = "mapping.dequantPasses4bit";
    public static final String EPS = "mapping.rmsNormEpsilon";
    public static final String THETA = "mapping.ropeTheta";
    public static final String TILE_PAD = "mapping.tilePadElements";
    public static final String REDUCTION = "mapping.reduction";
    public static final String PER_PASS = "mapping.sequencesPerPass";
    public static final String PASS_SCHEDULE = "mapping.passSchedule";
    public static final String SIMULATED_PASSES = "mapping.simulatedPasses";
    public static final String PREFILL_CHUNK = "mapping.prefillChunkTokens";
    public static final String PREFILL_PASS = "mapping.prefillPassTokens";
    public static final String PASSES_IN_FLIGHT = "mapping.passesInFlight";
    public static final String STEP_BUCKET = "mapping.stepContextBucketTokens";
    public static final String STEP_GROWTH = "mapping.stepContextGrowth";
    /** Passes of a batch pipelined through the layer regions. */
    public static final String PIPELINED = "pipelined";
    /** Every pass of a layer done before the next layer starts. */
    public static final String LAYER_BY_LAYER = "layer-by-layer";
    /** Reduction inside a layer: a chain along the whole row or column. */
    public static final String CHAIN = "chain";
    /** Reduction inside a layer: chains in groups of about sqrt(n) PEs, then a chain over the group leaders. */
    public static final String TWO_PHASE = "two-phase";

    /** The mapping's parameters. */
    public static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.choice(STRATEGY, "How layers are laid out on the wafer.", MappingStrategies.names()),
            ParamSpec.choice(ACCUMULATE, "Element type of GEMV partial sums.", "fp16", "fp32"),
            ParamSpec.integer(BUCKET, "tokens", 1, 1 << 24,
                    "Default mode: simulate layers at context lengths this far apart and interpolate."),
            ParamSpec.longInt(SEED, "-", Long.MIN_VALUE, Long.MAX_VALUE, "Seed of the looked-up token ids."),
            ParamSpec.integer(DEQUANT8, "passes", 0, 16, "Vector passes per column to widen 8-bit weights."),
            ParamSpec.integer(DEQUANT4, "passes", 0, 16, "Vector passes per column to unpack 4-bit weights."),
            ParamSpec.real(EPS, "-", 0, 1, "RMSNorm epsilon (functional runs)."),
            ParamSpec.real(THETA, "-", 1, 1e12, "Rotary embedding base (functional runs)."),
            ParamSpec.integer(TILE_PAD, "elements", 2, 16,
                    "Weight-tile columns padded to a multiple of this many elements (8 avoids bank conflicts)."),
            ParamSpec.choice(REDUCTION, "Reductions inside a layer (GEMV partial sums, norm and softmax statistics,"
                    + " attention scores, argmax).", CHAIN, TWO_PHASE),
            ParamSpec.integer(PER_PASS, "sequences", 1, 1 << 16,
                    "Sequences of a batch that go through a layer together; a larger batch runs in passes."),
            ParamSpec.choice(PASS_SCHEDULE, "How a batch's passes go through the layer regions.", PIPELINED,
                    LAYER_BY_LAYER),
            ParamSpec.integer(SIMULATED_PASSES, "passes", 2, 1 << 16,
                    "Default mode, pipelined passes: passes of a region simulated; the rest follow at the last interval."),
            ParamSpec.integer(PREFILL_CHUNK, "tokens", 1, 1 << 24,
                    "Step model: prompt tokens per prefill pass (run --prompt-tokens, serve)."),
            ParamSpec.integer(PREFILL_PASS, "tokens", 1, 1 << 12,
                    "Step model: tokens of a prefill chunk that go through a layer together (a sub-chunk)."),
            ParamSpec.integer(PASSES_IN_FLIGHT, "passes", 1, 1 << 16,
                    "Step model: independent forward passes in the pipeline of layer regions at once (at most the"
                            + " regions)."),
            ParamSpec.integer(STEP_BUCKET, "tokens", 1, 1 << 24,
                    "Step model: simulate layers at contexts this far apart (the first spacing) and interpolate."),
            ParamSpec.real(STEP_GROWTH, "-", 1, 16,
                    "Step model: each spacing of the simulated contexts after the first is this many times the last."));

    /** The defaults. */
    public static ParamSet defaults() {
        return PresetLoader.load("presets/mapping/wafer.yaml", SCHEMA);
    }

    /** Builds the record from a parameter set holding the mapping keys. */
    public static MappingParams from(ParamSet p) {
        return new MappingParams(p.getString(STRATEGY), p.getString(ACCUMULATE).equals("fp16") ? DType.FP16
                : DType.MIXED, p.getInt(BUCKET), p.getLong(SEED), p.getInt(DEQUANT8), p.getInt(DEQUANT4),
                p.getDouble(EPS), p.getDouble(THETA), p.getInt(TILE_PAD), p.getString(REDUCTION), p.getInt(PER_PASS),
                p.getString(PASS_SCHEDULE), p.getInt(SIMULATED_PASSES), p.getInt(PREFILL_CHUNK), p.getInt(PREFILL_PASS),
                p.getInt(PASSES_IN_FLIGHT), p.getInt(STEP_BUCKET), p.getDouble(STEP_GROWTH));
    }
}
