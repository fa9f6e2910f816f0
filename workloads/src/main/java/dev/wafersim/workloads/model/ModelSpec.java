package dev.wafersim.workloads.model;

import dev.wafersim.core.config.ConfigException;
import java.util.Objects;

/**
 * The architecture of a decoder-only transformer: what the decode op graph needs, nothing about how it
 * was trained. Every model here uses pre-norm RMSNorm, rotary position embeddings, grouped-query
 * attention and a gated feed-forward block (dense or a routed mixture of experts).
 *
 * <p>Parameter accounting, per layer: two RMSNorm scales ({@code hidden} each); q, k, v and o
 * projections ({@code hidden x qDim}, {@code hidden x kvDim} twice, {@code qDim x hidden}); optional
 * q/k/v biases, o bias and one attention-sink logit per query head; then either a dense gated FFN
 * (gate and up {@code hidden x ffn}, down {@code ffn x hidden}, optional biases) or a router
 * ({@code hidden x experts}, optional bias) plus {@code experts} such FFNs. Outside the layers: the
 * embedding table ({@code vocab x hidden}), the final RMSNorm and, unless tied to the embedding table,
 * an LM head ({@code hidden x vocab}). Rotary embeddings have no parameters.
 *
 * @param name             preset or model name, e.g. {@code llama-3.1-8b}
 * @param source           where the numbers come from (a config.json URL or file path)
 * @param numLayers        transformer layers (count)
 * @param hiddenSize       model width, elements per token of the residual stream
 * @param numHeads         query heads per layer (count)
 * @param numKvHeads       key/value heads per layer (count); divides {@code numHeads}
 * @param headDim          elements per attention head (need not equal hiddenSize / numHeads)
 * @param ffnHiddenSize    FFN inner width, per expert for a mixture of experts (elements)
 * @param numExperts       experts per MoE layer; 0 for a dense model (1 is normalized to 0)
 * @param expertsPerToken  experts each token is routed to (top-k); 0 for a dense model
 * @param vocabSize        vocabulary size (tokens), rows of the embedding table
 * @param tiedEmbeddings   true when the LM head reuses the embedding table
 * @param qkvBias          true when the q, k and v projections have biases (Qwen2, gpt-oss)
 * @param outputBias       true when the attention output projection has a bias (gpt-oss)
 * @param mlpBias          true when FFN / expert projections and the router have biases (gpt-oss)
 * @param attentionSinks   true when each query head has a learned sink logit in its softmax (gpt-oss)
 * @param activation       the gated activation of the FFN
 * @param attention        attention type of each layer and the sliding-window size
 * @param maxPositions     positions the model was trained for ({@code max_position_embeddings}: prompt plus
 *                         generated tokens of one sequence); 0 when not known. Not part of the op graph: it
 *                         bounds the workloads a run accepts
 */
public record ModelSpec(String name, String source, int numLayers, int hiddenSize, int numHeads, int numKvHeads,
                        int headDim, int ffnHiddenSize, int numExperts, int expertsPerToken, int vocabSize,
                        boolean tiedEmbeddings, boolean qkvBias, boolean outputBias, boolean mlpBias,
                        boolean attentionSinks, GatedActivation activation, AttentionPattern attention,
                        long maxPositions) {

    /** Largest accepted width-like dimension (hidden, FFN, head dim), elements. */
    public static final int MAX_DIM = 1 << 20;
    /** Largest accepted count (layers, heads, experts). */
    public static final int MAX_COUNT = 1 << 16;
    /** Largest accepted vocabulary, tokens. */
    public static final int MAX_VOCAB = 1 << 24;
    /**
     * Largest accepted parameter count (about; 10^15). Keeps every byte, bit and FLOP count of one
     * decode step well inside a {@code long}.
     */
    public static final double MAX_PARAMETERS = 1e15;

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(attention, "attention");
        String m = "model " + name + ": ";
        if (name.isBlank()) {
            throw new ConfigException("model name is blank; expected a name such as llama-3.1-8b");
        }
        range(m, "numLayers", numLayers, MAX_COUNT);
        range(m, "hiddenSize", hiddenSize, MAX_DIM);
        range(m, "numHeads", numHeads, MAX_COUNT);
        range(m, "numKvHeads", numKvHeads, MAX_COUNT);
        range(m, "headDim", headDim, MAX_DIM);
        range(m, "ffnHiddenSize", ffnHiddenSize, MAX_DIM);
        range(m, "vocabSize", vocabSize, MAX_VOCAB);
        if (numHeads % numKvHeads != 0) {
            throw new ConfigException(m + "numKvHeads=" + numKvHeads + " is not allowed; expected a divisor of numHeads="
                    + numHeads);
        }
        if (numExperts < 0 || numExperts > MAX_COUNT) {
            throw new ConfigException(m + "numExperts=" + numExperts + " is not allowed; expected 0 (dense) to "
                    + MAX_COUNT);
        }
        if (numExperts <= 1) {
            if (expertsPerToken > 1 || expertsPerToken < 0) {
                throw new ConfigException(m + "expertsPerToken=" + expertsPerToken
                        + " is not allowed for a dense model; expected 0");
            }
            numExperts = 0;
            expertsPerToken = 0;
        } else if (expertsPerToken < 1 || expertsPerToken > numExperts) {
            throw new ConfigException(m + "expertsPerToken=" + expertsPerToken + " is not allowed; expected 1 to numExperts="
                    + numExperts);
        }
        if ((long) numHeads * headDim > MAX_DIM) {
            throw new ConfigException(m + "numHeads x headDim=" + ((long) numHeads * headDim)
                    + " is not allowed; expected at most " + MAX_DIM);
        }
        double approxParameters = (double) numLayers * ((double) hiddenSize * numHeads * headDim * 4
                + 3.0 * hiddenSize * ffnHiddenSize * Math.max(1, numExperts)) + 2.0 * vocabSize * hiddenSize;
        if (approxParameters > MAX_PARAMETERS) {
            throw new ConfigException(m + "about " + String.format(java.util.Locale.ROOT, "%.3g", approxParameters)
                    + " parameters is not allowed; expected at most " + String.format(java.util.Locale.ROOT, "%.0g",
                    MAX_PARAMETERS) + " (byte and FLOP counts are 64-bit integers)");
        }
        if (maxPositions < 0) {
            throw new ConfigException(m + "maxPositions=" + maxPositions + " is not allowed; expected a positive number of"
                    + " positions, or 0 when not known");
        }
        if (attention.numLayers() != numLayers) {
            throw new ConfigException(m + "the attention pattern has " + attention.numLayers()
                    + " layers; expected numLayers=" + numLayers);
        }
    }

    private static void range(String m, String field, int v, int max) {
        if (v < 1 || v > max) {
            throw new ConfigException(m + field + "=" + v + " is not allowed; expected an integer in [1, " + max + "]");
        }
    }

    /** A builder with no defaults for the dimensions; flags default to false, activation to SwiGLU. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The same architecture under another name and source (e.g. a config.json compared with a preset). */
    public ModelSpec renamed(String newName, String newSource) {
        return new ModelSpec(newName, newSource, numLayers, hiddenSize, numHeads, numKvHeads, headDim, ffnHiddenSize,
                numExperts, expertsPerToken, vocabSize, tiedEmbeddings, qkvBias, outputBias, mlpBias, attentionSinks,
                activation, attention, maxPositions);
    }

    // ---- shapes ----

    /** True for a mixture-of-experts model. */
    public boolean isMixtureOfExperts() {
        return numExperts > 0;
    }

    /** Width of all query heads together, {@code numHeads * headDim} (elements). */
    public int qDim() {
        return numHeads * headDim;
    }

    /** Width of all key (or all value) heads together, {@code numKvHeads * headDim} (elements). */
    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Query heads sharing one KV head (grouped-query attention group size). */
    public int queryHeadsPerKvHead() {
        return numHeads / numKvHeads;
    }

    /** The shape of {@code layer} (0-based); layers with equal shapes have identical decode ops. */
    public LayerShape layerShape(int layer) {
        return new LayerShape(attention.type(layer), attention.windowTokens(layer), isMixtureOfExperts());
    }

    // ---- parameter counts (elements) ----

    /** Parameters of the attention block of one layer: q, k, v, o matrices, their biases and sinks; norms excluded. */
    public long attentionParametersPerLayer() {
        long h = hiddenSize;
        long p = h * qDim() + 2 * h * kvDim() + (long) qDim() * h;
        if (qkvBias) {
            p += qDim() + 2L * kvDim();
        }
        if (outputBias) {
            p += h;
        }
        if (attentionSinks) {
            p += numHeads;
        }
        return p;
    }

    /** Parameters of the two RMSNorm scales of one layer, {@code 2 * hidden}. */
    public long normParametersPerLayer() {
        return 2L * hiddenSize;
    }

    /** Parameters of one gated FFN (one expert of a MoE layer, or the dense FFN): gate, up, down and biases. */
    public long parametersPerFfn() {
        long p = 3L * hiddenSize * ffnHiddenSize;
        if (mlpBias) {
            p += 2L * ffnHiddenSize + hiddenSize;
        }
        return p;
    }

    /** Router parameters of one MoE layer, {@code hidden * experts} (+ experts with a bias); 0 when dense. */
    public long routerParametersPerLayer() {
        if (!isMixtureOfExperts()) {
            return 0;
        }
        return (long) hiddenSize * numExperts + (mlpBias ? numExperts : 0);
    }

    /** Parameters of the feed-forward block of one layer: the dense FFN, or router plus every expert. */
    public long ffnParametersPerLayer() {
        return isMixtureOfExperts()
                ? routerParametersPerLayer() + Math.multiplyExact((long) numExperts, parametersPerFfn())
                : parametersPerFfn();
    }

    /** Parameters of one transformer layer (all layers have the same count). */
    public long parametersPerLayer() {
        return normParametersPerLayer() + attentionParametersPerLayer() + ffnParametersPerLayer();
    }

    /** Parameters of the embedding table, {@code vocab * hidden}. */
    public long embeddingParameters() {
        return (long) vocabSize * hiddenSize;
    }

    /** Parameters of a separate LM head, {@code hidden * vocab}; 0 when tied to the embedding table. */
    public long lmHeadParameters() {
        return tiedEmbeddings ? 0 : embeddingParameters();
    }

    /** All parameters: layers, embedding table, final norm and (untied) LM head; tied tables counted once. */
    public long totalParameters() {
        return Math.addExact(Math.multiplyExact((long) numLayers, parametersPerLayer()),
                embeddingParameters() + lmHeadParameters() + hiddenSize);
    }

    /** Parameters outside the embedding table and LM head. */
    public long nonEmbeddingParameters() {
        return totalParameters() - embeddingParameters() - lmHeadParameters();
    }

    /**
     * Parameters one token's forward pass uses, counting the whole embedding table and LM head:
     * total minus the experts it is not routed to. The convention of Mistral's "12.9B active" for
     * Mixtral-8x7B. Equals {@link #totalParameters()} for dense models.
     */
    public long activeParameters() {
        long idle = isMixtureOfExperts()
                ? Math.multiplyExact((long) numLayers * (numExperts - expertsPerToken), parametersPerFfn()) : 0;
        return totalParameters() - idle;
    }

    /**
     * {@link #activeParameters()} without the input embedding table, which a token only indexes; a
     * tied table is kept because the LM head multiplies by it. The convention of the gpt-oss model
     * card ("5.13B active" for gpt-oss-120b counts the unembedding, not the embedding).
     */
    public long activeParametersExcludingInputEmbedding() {
        return activeParameters() - (tiedEmbeddings ? 0 : embeddingParameters());
    }

    // ---- bytes at a precision ----

    /** Bytes of the q, k and v matrices and their biases of one layer. */
    public long qkvWeightBytes(Precision p) {
        long b = p.matrixBytes(TensorRole.ATTENTION, hiddenSize, qDim())
                + 2 * p.matrixBytes(TensorRole.ATTENTION, hiddenSize, kvDim());
        return b + (qkvBias ? Precision.vectorBytes(qDim() + 2L * kvDim()) : 0);
    }

    /** Bytes of the attention output projection of one layer and its bias. */
    public long outProjWeightBytes(Precision p) {
        return p.matrixBytes(TensorRole.ATTENTION, qDim(), hiddenSize) + (outputBias ? Precision.vectorBytes(hiddenSize) : 0);
    }

    /** Bytes of the attention-sink logits of one layer (0 without sinks). */
    public long sinkBytes() {
        return attentionSinks ? Precision.vectorBytes(numHeads) : 0;
    }

    /** Bytes of one RMSNorm scale vector. */
    public long normWeightBytes() {
        return Precision.vectorBytes(hiddenSize);
    }

    private TensorRole ffnRole() {
        return isMixtureOfExperts() ? TensorRole.EXPERT : TensorRole.FFN;
    }

    /** Bytes of the gate and up matrices (and biases) of one FFN: the dense FFN or one expert. */
    public long gateUpWeightBytes(Precision p) {
        return 2 * p.matrixBytes(ffnRole(), hiddenSize, ffnHiddenSize) + (mlpBias ? Precision.vectorBytes(2L * ffnHiddenSize) : 0);
    }

    /** Bytes of the down matrix (and bias) of one FFN: the dense FFN or one expert. */
    public long downWeightBytes(Precision p) {
        return p.matrixBytes(ffnRole(), ffnHiddenSize, hiddenSize) + (mlpBias ? Precision.vectorBytes(hiddenSize) : 0);
    }

    /** Bytes of the router of one MoE layer and its bias; 0 when dense. */
    public long routerWeightBytes(Precision p) {
        if (!isMixtureOfExperts()) {
            return 0;
        }
        return p.matrixBytes(TensorRole.ROUTER, hiddenSize, numExperts) + (mlpBias ? Precision.vectorBytes(numExperts) : 0);
    }

    /** Bytes of one transformer layer's weights. */
    public long layerWeightBytes(Precision p) {
        long ffn = gateUpWeightBytes(p) + downWeightBytes(p);
        if (isMixtureOfExperts()) {
            ffn = routerWeightBytes(p) + Math.multiplyExact((long) numExperts, ffn);
        }
        return 2 * normWeightBytes() + qkvWeightBytes(p) + outProjWeightBytes(p) + sinkBytes() + ffn;
    }

    /** Bytes of one row of the embedding table (one token's vector). */
    public long embeddingRowBytes(Precision p) {
        return p.matrixBytes(TensorRole.EMBEDDING, hiddenSize, 1);
    }

    /** Bytes of the embedding table. */
    public long embeddingTableBytes(Precision p) {
        return p.matrixBytes(TensorRole.EMBEDDING, hiddenSize, vocabSize);
    }

    /** Bytes the LM head multiplies by: the embedding table when tied, else the separate head. */
    public long lmHeadWeightBytes(Precision p) {
        return tiedEmbeddings ? embeddingTableBytes(p) : p.matrixBytes(TensorRole.LM_HEAD, hiddenSize, vocabSize);
    }

    /**
     * Bytes of all weights stored once: layers, embedding table, final norm and (untied) LM head. At
     * bf16 this is {@code 2 * totalParameters()}.
     */
    public long weightBytes(Precision p) {
        long b = Math.multiplyExact((long) numLayers, layerWeightBytes(p)) + embeddingTableBytes(p) + normWeightBytes();
        return tiedEmbeddings ? b : b + lmHeadWeightBytes(p);
    }

    /** KV-cache bytes one token adds to one layer: K and V, {@code 2 * kvDim * bytesPerElement}. */
    public long kvBytesPerTokenPerLayer(Precision p) {
        return 2L * kvDim() * p.kvBytesPerElement();
    }

    /**
     * KV-cache bytes resident for {@code sequences} sequences of {@code positions} tokens each: every
     * full-attention layer holds all positions, a sliding layer only its window
     * ({@code min(positions, window)}, a ring buffer).
     */
    public long kvCacheBytes(Precision p, long positions, long sequences) {
        if (positions < 0 || sequences < 0) {
            throw new IllegalArgumentException("positions " + positions + ", sequences " + sequences);
        }
        long tokens = 0;
        for (int l = 0; l < numLayers; l++) {
            tokens = Math.addExact(tokens, attention.attendedTokens(l, positions));
        }
        return Math.multiplyExact(Math.multiplyExact(tokens, sequences), kvBytesPerTokenPerLayer(p));
    }

    /** Builds a {@link ModelSpec} field by field. */
    public static final class Builder {
        private final String name;
        private String source = "";
        private int layers;
        private int hidden;
        private int heads;
        private int kvHeads;
        private int headDim;
        private int ffn;
        private int experts;
        private int expertsPerToken;
        private int vocab;
        private boolean tied;
        private boolean qkvBias;
        private boolean outputBias;
        private boolean mlpBias;
        private boolean sinks;
        private GatedActivation activation = GatedActivation.SWIGLU;
        private AttentionPattern attention;
        private long maxPositions;

        private Builder(String name) {
            this.name = name;
        }

        /** Where the numbers come from. */
        public Builder source(String v) {
            source = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder hidden(int v) {
            hidden = v;
            return this;
        }

        /** Query heads and KV heads. */
        public Builder heads(int query, int kv) {
            heads = query;
            kvHeads = kv;
            return this;
        }

        public Builder headDim(int v) {
            headDim = v;
            return this;
        }

        /** FFN inner width (per expert). */
        public Builder ffn(int v) {
            ffn = v;
            return this;
        }

        /** Experts per layer and experts per token (top-k). */
        public Builder experts(int count, int perToken) {
            experts = count;
            expertsPerToken = perToken;
            return this;
        }

        public Builder vocab(int v) {
            vocab = v;
            return this;
        }

        public Builder tiedEmbeddings(boolean v) {
            tied = v;
            return this;
        }

        public Builder qkvBias(boolean v) {
            qkvBias = v;
            return this;
        }

        public Builder outputBias(boolean v) {
            outputBias = v;
            return this;
        }

        public Builder mlpBias(boolean v) {
            mlpBias = v;
            return this;
        }

        public Builder attentionSinks(boolean v) {
            sinks = v;
            return this;
        }

        public Builder activation(GatedActivation v) {
            activation = v;
            return this;
        }

        /** Positions the model was trained for ({@code max_position_embeddings}); 0 (the default) when not known. */
        public Builder maxPositions(long v) {
            maxPositions = v;
            return this;
        }

        /** Attention pattern; full attention on every layer when not set. */
        public Builder attention(AttentionPattern v) {
            attention = v;
            return this;
        }

        /** Head dim defaults to hidden / heads when not set (and divisible). */
        public ModelSpec build() {
            int hd = headDim;
            if (hd == 0 && heads > 0 && hidden % heads == 0) {
                hd = hidden / heads;
            }
            AttentionPattern a = attention != null ? attention : AttentionPattern.full(Math.max(1, layers));
            return new ModelSpec(name, source, layers, hidden, heads, kvHeads, hd, ffn, experts, expertsPerToken,
                    vocab, tied, qkvBias, outputBias, mlpBias, sinks, activation, a, maxPositions);
        }
    }
}
