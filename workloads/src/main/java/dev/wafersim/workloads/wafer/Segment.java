package dev.wafersim.workloads.wafer;

/**
 * One part of the model on one wafer: a layer, the LM head (with the embedding table when the
 * model ties them), or an untied embedding table.
 *
 * @param kind   what it holds
 * @param layer  the layer index (LAYER only)
 * @param region where it sits on its wafer
 * @param plan   its tiling and SRAM layout
 */
record Segment(Kind kind, int layer, Region region, LayerPlan plan) {

    /** Segment kinds. */
    enum Kind {
        /** An untied embedding table: row lookups only. */
        EMBEDDING,
        /** A transformer layer. */
        LAYER,
        /** The final norm and LM head; also the embedding table when tied. */
        HEAD
    }

    /** Bytes of SRAM the segment uses on its wafer. */
    long sramBytes() {
        return plan.totalBytes();
    }

    String label() {
        return switch (kind) {
            case EMBEDDING -> "embedding";
            case LAYER -> "layer " + layer;
            case HEAD -> "LM head";
        };
    }
}
