package dev.wafersim.workloads.model;

/**
 * Sums over a set of ops (a layer, a step, a whole generation).
 *
 * @param weightBytes        weight bytes read (fractional only through MoE expected expert counts)
 * @param kvBytesRead        KV-cache bytes read
 * @param kvBytesWritten     KV-cache bytes written
 * @param flops              floating-point operations
 * @param activationBytesIn  activation bytes read
 * @param activationBytesOut activation bytes written
 */
public record OpTotals(double weightBytes, long kvBytesRead, long kvBytesWritten, long flops, long activationBytesIn,
                       long activationBytesOut) {

    /** All zero. */
    public static final OpTotals ZERO = new OpTotals(0, 0, 0, 0, 0, 0);

    /** Totals of one op. */
    public static OpTotals of(Op op) {
        return new OpTotals(op.weightBytes(), op.kvBytesRead(), op.kvBytesWritten(), op.flops(), op.activationBytesIn(),
                op.activationBytesOut());
    }

    /** Totals of the given ops. */
    public static OpTotals of(Iterable<Op> ops) {
        OpTotals t = ZERO;
        for (Op op : ops) {
            t = t.plus(of(op));
        }
        return t;
    }

    /** Element-wise sum. */
    public OpTotals plus(OpTotals o) {
        return new OpTotals(weightBytes + o.weightBytes, Math.addExact(kvBytesRead, o.kvBytesRead),
                Math.addExact(kvBytesWritten, o.kvBytesWritten), Math.addExact(flops, o.flops),
                Math.addExact(activationBytesIn, o.activationBytesIn), Math.addExact(activationBytesOut, o.activationBytesOut));
    }

    /** These totals {@code n} times. */
    public OpTotals times(long n) {
        return new OpTotals(weightBytes * n, Math.multiplyExact(kvBytesRead, n), Math.multiplyExact(kvBytesWritten, n),
                Math.multiplyExact(flops, n), Math.multiplyExact(activationBytesIn, n),
                Math.multiplyExact(activationBytesOut, n));
    }
}
