package dev.wafersim.workloads.model;

import java.util.List;

/**
 * The op graph of one forward pass as a machine model consumes it: embedding, the layers in order, the
 * final norm and, when some row needs logits, the LM head. {@link DecodeStep} is the uniform decode pass
 * (one new token per sequence, each with logits); {@link ForwardStep} is any mix of decode tokens,
 * prefill chunks and verify steps.
 */
public interface ForwardGraph {
    /** The model. */
    ModelSpec model();

    /** Number formats. */
    Precision precision();

    /** The embedding lookup of every new token. */
    Op embedding();

    /** Every layer's ops, in layer order. */
    List<LayerOps> layers();

    /** The final RMSNorm over every new token. */
    Op finalNorm();

    /** The LM head over the rows that need logits; {@code null} when no row does (a prefill chunk mid-prompt). */
    Op lmHead();

    /** Tokens fed through the model: the rows of every weight matmul. */
    long newTokens();

    /** Rows that need logits (LM head and sampling). */
    long logitTokens();
}
