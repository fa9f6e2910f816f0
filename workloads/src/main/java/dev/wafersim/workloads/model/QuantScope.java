package dev.wafersim.workloads.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which weight matrices a quantized weight format applies to; every other matrix stays bf16.
 * Irrelevant (and normalized to {@link #ALL_MATRICES}) for 16-bit weight formats.
 */
public enum QuantScope {
    /** Every matrix, the embedding table, LM head and router included. */
    ALL_MATRICES("all", EnumSet.allOf(TensorRole.class)),
    /**
     * The linear layers inside the transformer blocks (attention, dense FFN and expert projections);
     * embedding table, LM head and router stay bf16. The GPTQ / AWQ convention.
     */
    BLOCK_LINEAR("block", EnumSet.of(TensorRole.ATTENTION, TensorRole.FFN, TensorRole.EXPERT)),
    /**
     * Only the feed-forward matrices (dense FFN or experts). gpt-oss ships its experts in MXFP4 and
     * everything else (attention, router, embedding, LM head) in bf16 ({@code quantization_config.
     * modules_to_not_convert} of its config.json); Meta's Llama-3.1-405B-FP8 quantizes only the FFNs.
     */
    FFN_ONLY("ffn", EnumSet.of(TensorRole.FFN, TensorRole.EXPERT));

    private final String word;
    private final Set<TensorRole> roles;

    QuantScope(String word, Set<TensorRole> roles) {
        this.word = word;
        this.roles = roles;
    }

    /** The word used in precision text ({@code int4:ffn}). */
    public String word() {
        return word;
    }

    /** True when matrices of {@code role} use the quantized format. */
    public boolean covers(TensorRole role) {
        return roles.contains(role);
    }

    /** The scope named by {@code word} (case-insensitive), or null. */
    static QuantScope byWord(String word) {
        for (QuantScope s : values()) {
            if (s.word.equals(word.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }
}
