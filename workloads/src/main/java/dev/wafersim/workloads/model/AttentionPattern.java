package dev.wafersim.workloads.model;

import dev.wafersim.core.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Which attention each layer uses, and the sliding-window size.
 *
 * @param layerTypes          the attention of each layer, index = layer (0-based); one entry per layer
 * @param slidingWindowTokens keys a sliding layer sees, the current token included (tokens); 0 when no
 *                            layer slides, positive otherwise
 */
public record AttentionPattern(List<AttentionType> layerTypes, int slidingWindowTokens) {

    public AttentionPattern {
        layerTypes = List.copyOf(Objects.requireNonNull(layerTypes, "layerTypes"));
        if (layerTypes.isEmpty()) {
            throw new ConfigException("attention pattern: layer types is empty; expected one entry per layer");
        }
        boolean anySliding = layerTypes.contains(AttentionType.SLIDING);
        if (anySliding && slidingWindowTokens < 1) {
            throw new ConfigException("attention pattern: slidingWindowTokens=" + slidingWindowTokens
                    + " is not allowed; expected a positive number of tokens when a layer slides");
        }
        if (!anySliding && slidingWindowTokens != 0) {
            throw new ConfigException("attention pattern: slidingWindowTokens=" + slidingWindowTokens
                    + " is not allowed; expected 0 when no layer slides");
        }
    }

    /** Every one of {@code layers} layers attends over the full context. */
    public static AttentionPattern full(int layers) {
        return new AttentionPattern(Collections.nCopies(checkLayers(layers), AttentionType.FULL), 0);
    }

    /** Every layer attends over a sliding window of {@code window} tokens (Mistral-7B-v0.1 style). */
    public static AttentionPattern allSliding(int layers, int window) {
        return new AttentionPattern(Collections.nCopies(checkLayers(layers), AttentionType.SLIDING), window);
    }

    /**
     * Layers alternate sliding and full attention, starting with a sliding layer at layer 0
     * (gpt-oss: {@code layer_types} = sliding, full, sliding, ...).
     */
    public static AttentionPattern alternatingSlidingFirst(int layers, int window) {
        List<AttentionType> t = new ArrayList<>(checkLayers(layers));
        for (int i = 0; i < layers; i++) {
            t.add(i % 2 == 0 ? AttentionType.SLIDING : AttentionType.FULL);
        }
        return new AttentionPattern(t, window);
    }

    private static int checkLayers(int layers) {
        if (layers < 1) {
            throw new ConfigException("attention pattern: layers=" + layers + " is not allowed; expected at least 1");
        }
        return layers;
    }

    /** Number of layers the pattern describes. */
    public int numLayers() {
        return layerTypes.size();
    }

    /** The attention of {@code layer} (0-based). */
    public AttentionType type(int layer) {
        return layerTypes.get(layer);
    }

    /** Window of {@code layer} in tokens, or 0 for a full-attention layer. */
    public int windowTokens(int layer) {
        return type(layer) == AttentionType.SLIDING ? slidingWindowTokens : 0;
    }

    /** Number of layers of the given type. */
    public int count(AttentionType type) {
        return (int) layerTypes.stream().filter(t -> t == type).count();
    }

    /**
     * Keys a query of {@code layer} attends over when {@code positions} tokens exist, the query's own
     * token included: {@code positions} for full attention, {@code min(positions, window)} for a
     * sliding layer.
     */
    public long attendedTokens(int layer, long positions) {
        int w = windowTokens(layer);
        return w == 0 ? positions : Math.min(positions, w);
    }
}
