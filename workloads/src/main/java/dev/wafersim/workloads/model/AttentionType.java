package dev.wafersim.workloads.model;

/** What a layer's attention sees: the whole context, or only the most recent tokens. */
public enum AttentionType {
    /** Causal attention over every token in the context. */
    FULL,
    /**
     * Causal attention over the last {@code window} tokens, the current token included: a query at
     * position {@code p} sees keys at positions {@code p - window + 1 .. p} (the Hugging Face and
     * gpt-oss reference mask {@code q - k < window}).
     */
    SLIDING
}
