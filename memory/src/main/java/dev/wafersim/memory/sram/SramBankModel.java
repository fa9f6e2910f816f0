package dev.wafersim.memory.sram;

/**
 * Cycle cost of vector operations on one PE's banked SRAM.
 *
 * <p>Model. A vector operation reads up to {@code readPortsPerCycle} source streams and writes one
 * destination stream, {@code r} elements per cycle, where {@code r} is the smallest of the SIMD width
 * of the operation and what a port moves per access for each stream: a contiguous stream (stride 1)
 * moves {@code portBytes / elemBytes} elements per access, any other non-zero stride one element per
 * access ("SIMD with strides: stride 0/1 full width; other strides reduce width", Cerebras SDK), and
 * a stride-0 stream is read once and then held. In each cycle the read streams touch the banks
 * covered by their bytes; if two read streams share a bank, that cycle's reads are serialized and
 * the chunk takes one more cycle. Writes go through the separate write port and never conflict with
 * reads. Bank of byte address a: {@code (a / interleaveBytes) mod banks}.
 *
 * <p>Since every stream is an arithmetic progression, the conflict pattern repeats; the cost is
 * computed chunk by chunk once per operation shape and cached by the caller.
 */
public final class SramBankModel {
    private final SramParams p;

    public SramBankModel(SramParams params) {
        this.p = params;
    }

    public SramParams params() {
        return p;
    }

    /** Elements per cycle a stream can supply through one port access. */
    public int elementsPerAccess(Stream s) {
        if (s.strideElems() == 0) {
            return Integer.MAX_VALUE;
        }
        if (s.strideElems() == 1 || s.strideElems() == -1) {
            return Math.max(1, p.portBytes() / s.elemBytes());
        }
        return 1;
    }

    /**
     * The elements per cycle of an operation with SIMD width {@code simdWidth}, reading
     * {@code reads} and writing {@code write} (either may be empty/null).
     */
    public int elementsPerCycle(int simdWidth, Stream[] reads, Stream write) {
        int r = simdWidth;
        for (Stream s : reads) {
            r = Math.min(r, elementsPerAccess(s));
        }
        if (write != null) {
            r = Math.min(r, elementsPerAccess(write));
        }
        return Math.max(1, r);
    }

    /**
     * Cycles to process {@code length} elements: one per chunk of {@link #elementsPerCycle}
     * elements, plus one for every chunk whose reads need more bank accesses than the ports allow in
     * one cycle.
     *
     * @throws IllegalArgumentException if there are more read streams than read ports
     */
    public long cycles(long length, int simdWidth, Stream[] reads, Stream write) {
        if (length <= 0) {
            return 0;
        }
        int live = 0;
        for (Stream s : reads) {
            if (s.strideElems() != 0) {
                live++;
            }
        }
        if (live > p.readPortsPerCycle()) {
            throw new IllegalArgumentException(live + " read streams but only " + p.readPortsPerCycle()
                    + " read ports per cycle");
        }
        int r = elementsPerCycle(simdWidth, reads, write);
        long chunks = (length + r - 1) / r;
        if (live < 2) {
            return chunks;
        }
        long fullChunks = length / r;
        int tail = (int) (length - fullChunks * r);
        // Chunk c of a stream starts c * adv bytes after its base (adv = r * stride * elemBytes), so
        // its bank set repeats every M / gcd(M, adv) chunks, M = banks * interleave; every such
        // period divides M, so counting the conflicts of the first M chunks and scaling is exact.
        long period = Math.min(fullChunks, (long) p.banks() * p.interleaveBytes());
        long stalls = 0;
        if (period > 0) {
            long conflictsInPeriod = 0;
            for (long c = 0; c < period; c++) {
                if (conflicts(c * r, r, reads)) {
                    conflictsInPeriod++;
                }
            }
            long rest = fullChunks % period;
            stalls = (fullChunks / period) * conflictsInPeriod;
            for (long c = 0; c < rest; c++) {
                if (conflicts(c * r, r, reads)) {
                    stalls++;
                }
            }
        }
        if (tail > 0 && conflicts(fullChunks * r, tail, reads)) {
            stalls++;
        }
        return chunks + stalls;
    }

    /** True when the read streams of elements [first, first + count) need a second cycle. */
    private boolean conflicts(long first, int count, Stream[] reads) {
        long seen = 0;
        for (Stream s : reads) {
            if (s.strideElems() == 0) {
                continue;
            }
            long mask = bankMask(s, first, count);
            if ((seen & mask) != 0) {
                return true;
            }
            seen |= mask;
        }
        return false;
    }

    /** Banks touched by elements [first, first + count) of a stream, as a bit mask. */
    long bankMask(Stream s, long first, int count) {
        long mask = 0;
        for (int i = 0; i < count; i++) {
            long addr = s.baseByte() + (first + i) * (long) s.strideElems() * s.elemBytes();
            long g0 = Math.floorDiv(addr, p.interleaveBytes());
            long g1 = Math.floorDiv(addr + s.elemBytes() - 1, p.interleaveBytes());
            for (long g = g0; g <= g1; g++) {
                mask |= 1L << (int) Math.floorMod(g, p.banks());
            }
        }
        return mask;
    }
}
