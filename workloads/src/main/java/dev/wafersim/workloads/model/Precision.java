package dev.wafersim.workloads.model;

import dev.wafersim.core.config.ConfigException;
import java.util.Objects;

/**
 * Number formats of one run: weights (with their scale group size and the matrices they apply to),
 * KV cache and activations.
 *
 * <p>Byte counts are exact. A matrix in a scaled format with {@code in} inputs and {@code out}
 * outputs occupies {@code ceil((in * out * bits + out * ceil(in / group) * scaleBits) / 8)} bytes
 * ({@link #matrixBytes}); matrices outside the {@link QuantScope}, and all vectors (norm scales,
 * biases, attention sinks), are bf16. Examples: bf16 = 2 bytes per weight; int4 with group 128 and a
 * bf16 scale = 4 + 16/128 = 4.125 bits; MXFP4 = 4 + 8/32 = 4.25 bits; int8 per-channel = 8 bits plus
 * 2 bytes per output channel. Activations are always bf16 ({@link #ACTIVATION_BYTES}).
 *
 * @param weights         format of the matrices inside {@code scope}
 * @param weightGroupSize weights per scale along the input dimension; {@link #PER_CHANNEL} for one scale
 *                        per output channel; 0 for unscaled formats (bf16, fp16)
 * @param scope           which matrices use {@code weights}; the rest are bf16
 * @param kvCache         format of KV-cache entries: bf16, fp16 or fp8
 */
public record Precision(NumberFormat weights, int weightGroupSize, QuantScope scope, NumberFormat kvCache) {

    /** Group size meaning "one scale per output channel": the whole input row shares a scale. */
    public static final int PER_CHANNEL = Integer.MAX_VALUE;

    /** Bytes per activation element (bf16), for every activation in the op graph. */
    public static final int ACTIVATION_BYTES = 2;

    /** Bytes per input token id (int32) read by the embedding lookup. */
    public static final int TOKEN_ID_BYTES = 4;

    /** Bytes per vector parameter (norm scale, bias, sink): always bf16. */
    public static final int VECTOR_BYTES = 2;

    /** bf16 weights, bf16 KV cache. */
    public static final Precision DEFAULT = new Precision(NumberFormat.BF16, 0, QuantScope.ALL_MATRICES,
            NumberFormat.BF16);

    /**
     * gpt-oss as published: experts in MXFP4, everything else bf16, bf16 KV cache (its config.json
     * {@code quantization_config}: {@code quant_method mxfp4}, not converting self_attn, router,
     * embed_tokens, lm_head).
     */
    public static final Precision GPT_OSS_NATIVE = new Precision(NumberFormat.MXFP4, 32, QuantScope.FFN_ONLY,
            NumberFormat.BF16);

    private static final String WEIGHTS_KEY = "precision.weights";
    private static final String KV_KEY = "precision.kvCache";
    private static final String WEIGHTS_ALLOWED = "a format bf16, fp16, fp8, int8, int4 or mxfp4, optionally followed by"
            + " ':g<N>' (weights per scale) or ':per-channel', and ':all', ':block' or ':ffn' (which matrices;"
            + " default block), e.g. int4:g64 or mxfp4:ffn";
    private static final String KV_ALLOWED = "bf16, fp16 or fp8";

    public Precision {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(kvCache, "kvCache");
        if (kvCache.scaled() && kvCache != NumberFormat.FP8) {
            throw new ConfigException(KV_KEY + "=" + kvCache.word() + " is not allowed; expected " + KV_ALLOWED);
        }
        if (!weights.scaled()) {
            if (weightGroupSize != 0) {
                throw new ConfigException(WEIGHTS_KEY + "=" + weights.word() + ":g" + weightGroupSize
                        + " is not allowed; " + weights.word() + " has no scales, so no group size");
            }
            scope = QuantScope.ALL_MATRICES;
        } else if (weightGroupSize < 1) {
            throw new ConfigException(WEIGHTS_KEY + "=" + weights.word() + ":g" + weightGroupSize
                    + " is not allowed; expected a group size of at least 1 weight");
        } else if (weights == NumberFormat.MXFP4 && weightGroupSize != 32) {
            throw new ConfigException(WEIGHTS_KEY + "=mxfp4:g" + weightGroupSize
                    + " is not allowed; MXFP4 blocks are 32 weights");
        }
    }

    /** Weights in {@code format} with its default group size, block-linear scope, bf16 KV cache. */
    public static Precision weights(NumberFormat format) {
        return new Precision(format, format.defaultGroupSize(), QuantScope.BLOCK_LINEAR, NumberFormat.BF16);
    }

    /** This precision with the KV cache in {@code format}. */
    public Precision withKvCache(NumberFormat format) {
        return new Precision(weights, weightGroupSize, scope, format);
    }

    /**
     * Parses precision text, e.g. {@code parse("int4:g64", "fp8")}; blank or null text means bf16.
     *
     * @param weightsText format of the weights: {@code bf16}, {@code fp16}, {@code fp8}, {@code int8},
     *                    {@code int4}, {@code mxfp4}, then optional {@code :g<N>} or {@code :per-channel}
     *                    and {@code :all}, {@code :block} (default) or {@code :ffn}
     * @param kvText      format of the KV cache: {@code bf16} (default), {@code fp16} or {@code fp8}
     * @throws ConfigException naming the key ({@code precision.weights} / {@code precision.kvCache}),
     *                         the value and what is allowed
     */
    public static Precision parse(String weightsText, String kvText) {
        Precision w = parseWeights(weightsText);
        if (kvText == null || kvText.isBlank()) {
            return w;
        }
        NumberFormat kv = NumberFormat.byWord(kvText);
        if (kv == null || (kv.scaled() && kv != NumberFormat.FP8)) {
            throw new ConfigException(KV_KEY + "=" + kvText.trim() + " is not allowed; expected " + KV_ALLOWED);
        }
        return w.withKvCache(kv);
    }

    private static Precision parseWeights(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        String[] parts = text.trim().split(":", -1);
        NumberFormat format = NumberFormat.byWord(parts[0]);
        if (format == null) {
            throw badWeights(text);
        }
        Integer group = null;
        QuantScope scope = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(java.util.Locale.ROOT);
            QuantScope s = QuantScope.byWord(p);
            if (s != null && scope == null) {
                scope = s;
            } else if (p.equals("per-channel") && group == null) {
                group = PER_CHANNEL;
            } else if (p.matches("g[0-9]{1,9}") && group == null) {
                group = Integer.parseInt(p.substring(1));
            } else {
                throw badWeights(text);
            }
        }
        if (!format.scaled()) {
            if (group != null || scope != null) {
                throw new ConfigException(WEIGHTS_KEY + "=" + text.trim() + " is not allowed; " + format.word()
                        + " is not quantized, so it takes no group size or scope");
            }
            return new Precision(format, 0, QuantScope.ALL_MATRICES, NumberFormat.BF16);
        }
        return new Precision(format, group == null ? format.defaultGroupSize() : group,
                scope == null ? QuantScope.BLOCK_LINEAR : scope, NumberFormat.BF16);
    }

    private static ConfigException badWeights(String text) {
        return new ConfigException(WEIGHTS_KEY + "=" + text.trim() + " is not allowed; expected " + WEIGHTS_ALLOWED);
    }

    /** True when matrices of {@code role} are stored in {@link #weights()}; otherwise they are bf16. */
    public boolean quantizes(TensorRole role) {
        return scope.covers(role);
    }

    /**
     * Exact bytes of an {@code inFeatures x outFeatures} weight matrix of the given role (data plus
     * scales, rounded up to a whole byte once per matrix). {@code inFeatures} is the reduction
     * dimension, along which scale groups run; an embedding table is {@code hidden x vocab} in this
     * sense (each row of {@code hidden} values is one group run).
     */
    public long matrixBytes(TensorRole role, long inFeatures, long outFeatures) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("matrix " + inFeatures + " x " + outFeatures);
        }
        NumberFormat f = quantizes(role) ? weights : NumberFormat.BF16;
        long bits = Math.multiplyExact(Math.multiplyExact(inFeatures, outFeatures), (long) f.bits());
        if (f.scaled()) {
            long groupsPerRow = (inFeatures - 1) / weightGroupSize + 1;
            bits = Math.addExact(bits, Math.multiplyExact(Math.multiplyExact(groupsPerRow, outFeatures),
                    (long) f.scaleBits()));
        }
        return (bits + 7) / 8;
    }

    /** Bytes of {@code elements} vector parameters (bf16). */
    public static long vectorBytes(long elements) {
        return Math.multiplyExact(elements, (long) VECTOR_BYTES);
    }

    /** Bytes per KV-cache element (one number of one K or V head vector). */
    public int kvBytesPerElement() {
        return kvCache.bits() / 8;
    }

    /** Short text, e.g. {@code bf16/kv=bf16} or {@code int4:g128:block/kv=fp8}. */
    public String label() {
        String w = weights.word();
        if (weights.scaled()) {
            w += (weightGroupSize == PER_CHANNEL ? ":per-channel" : ":g" + weightGroupSize) + ":" + scope.word();
        }
        return w + "/kv=" + kvCache.word();
    }
}
