package dev.wafersim.workloads.serving;

import dev.wafersim.core.config.ParamSchema;
import dev.wafersim.core.config.ParamSet;
import dev.wafersim.core.config.ParamSpec;
import dev.wafersim.core.config.PresetLoader;

/**
 * The parameters of the serving replay: how the server schedules requests onto the machine, with
 * their defaults, units, confidence and sources in {@code presets/serving/serving.yaml}. Every system's
 * schema carries them ({@code SystemCatalog}), so {@code wafersim describe SYSTEM} lists them and
 * {@code --set serving.KEY=VALUE} overrides them.
 *
 * @param scheduler                the scheduling policy ({@link SchedulerPolicies})
 * @param kvBlockTokens            tokens per KV-cache block
 * @param maxRunningSequences      most sequences admitted at once (vLLM's max_num_seqs)
 * @param maxBatchedTokens         most new tokens in one iteration (vLLM's max_num_batched_tokens)
 * @param admissionWatermark       share of the KV blocks that must stay free after an admission
 * @param maxModelLenTokens        most positions one request may reach (prompt plus output), tokens
 * @param goodputAttainment        share of requests that must meet the SLO for a rate to count as goodput
 * @param goodputRelativeTolerance the goodput bisection stops when its bracket is narrower than this share
 * @param tableContextStepTokens   step table: grid spacing of context and chunk lengths below the octaves, tokens
 * @param tableStepsPerOctave      step table: grid points per doubling
 * @param prefixCaching            keep a session's KV blocks between its turns (evicted least recently used
 *                                 first when blocks run short) and reuse them as the next turn's prefix
 */
public record ServingParams(String scheduler, int kvBlockTokens, int maxRunningSequences, int maxBatchedTokens,
                            double admissionWatermark, long maxModelLenTokens, double goodputAttainment,
                            double goodputRelativeTolerance, int tableContextStepTokens, int tableStepsPerOctave,
                            boolean prefixCaching) {

    public static final String SCHEDULER = "serving.scheduler";
    public static final String KV_BLOCK_TOKENS = "serving.kvBlockTokens";
    public static final String MAX_RUNNING_SEQUENCES = "serving.maxRunningSequences";
    public static final String MAX_BATCHED_TOKENS = "serving.maxBatchedTokens";
    public static final String ADMISSION_WATERMARK = "serving.admissionWatermark";
    public static final String MAX_MODEL_LEN_TOKENS = "serving.maxModelLenTokens";
    public static final String GOODPUT_ATTAINMENT = "serving.goodputAttainment";
    public static final String GOODPUT_TOLERANCE = "serving.goodputRelativeTolerance";
    public static final String TABLE_CONTEXT_STEP = "serving.tableContextStepTokens";
    public static final String TABLE_STEPS_PER_OCTAVE = "serving.tableStepsPerOctave";
    public static final String PREFIX_CACHING = "serving.prefixCaching";

    /** Largest number of running sequences the engine accepts (sizes its per-pass arrays). */
    public static final int MAX_SEQUENCES_LIMIT = 16_384;

    /** The serving parameters. */
    public static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.choice(SCHEDULER, "How the server composes each iteration (policy).",
                    SchedulerPolicies.names().toArray(new String[0])),
            ParamSpec.integer(KV_BLOCK_TOKENS, "tokens", 1, 1 << 16, "Tokens per block of the paged KV cache."),
            ParamSpec.integer(MAX_RUNNING_SEQUENCES, "sequences", 1, MAX_SEQUENCES_LIMIT,
                    "Most sequences admitted (running) at once."),
            ParamSpec.integer(MAX_BATCHED_TOKENS, "tokens", 1, 1 << 24, "Most new tokens one iteration feeds through the model."),
            ParamSpec.real(ADMISSION_WATERMARK, "-", 0, 0.5,
                    "Share of the KV blocks that must stay free after admitting a request."),
            ParamSpec.longInt(MAX_MODEL_LEN_TOKENS, "tokens", 2, 1L << 31,
                    "Most positions one request may reach (prompt plus output); longer requests are rejected."),
            ParamSpec.real(GOODPUT_ATTAINMENT, "-", 0.01, 1, "Share of requests meeting the SLO at the goodput rate."),
            ParamSpec.real(GOODPUT_TOLERANCE, "-", 1e-4, 0.5, "Relative width at which the goodput bisection stops."),
            ParamSpec.integer(TABLE_CONTEXT_STEP, "tokens", 1, 1 << 16,
                    "Step table: spacing of simulated context and chunk lengths below the octave grid."),
            ParamSpec.integer(TABLE_STEPS_PER_OCTAVE, "points", 1, 64,
                    "Step table: simulated points per doubling of batch size, context and chunk length."),
            ParamSpec.flag(PREFIX_CACHING, "Keep a session's KV blocks between its turns (evicted least recently used"
                    + " first) and reuse them as the next turn's prefix."));

    public ServingParams {
        if (Integer.bitCount(tableContextStepTokens) != 1 || Integer.bitCount(tableStepsPerOctave) != 1) {
            throw new dev.wafersim.core.config.ConfigException(TABLE_CONTEXT_STEP + "=" + tableContextStepTokens
                    + ", " + TABLE_STEPS_PER_OCTAVE + "=" + tableStepsPerOctave
                    + " are not allowed; expected powers of two (the grid points of neighbouring octaves must line up)");
        }
    }

    /** The defaults. */
    public static ParamSet defaults() {
        return PresetLoader.load("presets/serving/serving.yaml", SCHEMA);
    }

    /** Builds the record from a parameter set holding the serving keys. */
    public static ServingParams from(ParamSet p) {
        return new ServingParams(p.getString(SCHEDULER), p.getInt(KV_BLOCK_TOKENS), p.getInt(MAX_RUNNING_SEQUENCES),
                p.getInt(MAX_BATCHED_TOKENS), p.getDouble(ADMISSION_WATERMARK), p.getLong(MAX_MODEL_LEN_TOKENS),
                p.getDouble(GOODPUT_ATTAINMENT), p.getDouble(GOODPUT_TOLERANCE), p.getInt(TABLE_CONTEXT_STEP),
                p.getInt(TABLE_STEPS_PER_OCTAVE), p.getBoolean(PREFIX_CACHING));
    }

    /** The defaults as a record. */
    public static ServingParams defaultParams() {
        return from(defaults());
    }

    /** A copy with another scheduler. */
    public ServingParams withScheduler(String name) {
        return new ServingParams(name, kvBlockTokens, maxRunningSequences, maxBatchedTokens, admissionWatermark,
                maxModelLenTokens, goodputAttainment, goodputRelativeTolerance, tableContextStepTokens,
                tableStepsPerOctave, prefixCaching);
    }

    /** A copy with prefix caching on or off. */
    public ServingParams withPrefixCaching(boolean on) {
        return new ServingParams(scheduler, kvBlockTokens, maxRunningSequences, maxBatchedTokens, admissionWatermark,
                maxModelLenTokens, goodputAttainment, goodputRelativeTolerance, tableContextStepTokens,
                tableStepsPerOctave, on);
    }

    /** A copy with other limits on the running sequences and the tokens per iteration. */
    public ServingParams withLimits(int runningSequences, int batchedTokens) {
        return new ServingParams(scheduler, kvBlockTokens, runningSequences, batchedTokens, admissionWatermark,
                maxModelLenTokens, goodputAttainment, goodputRelativeTolerance, tableContextStepTokens,
                tableStepsPerOctave, prefixCaching);
    }
}
