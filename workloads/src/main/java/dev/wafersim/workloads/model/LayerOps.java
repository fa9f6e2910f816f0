package dev.wafersim.workloads.model;

import java.util.List;

/**
 * The ops of one transformer layer in one decode step, in execution order.
 *
 * @param layer index (0-based)
 * @param shape what makes this layer's ops differ from other layers'; equal shapes, equal ops
 * @param ops   the ops, in order
 */
public record LayerOps(int layer, LayerShape shape, List<Op> ops) {

    public LayerOps {
        ops = List.copyOf(ops);
    }

    /** Sums over the layer's ops. */
    public OpTotals totals() {
        return OpTotals.of(ops);
    }
}
