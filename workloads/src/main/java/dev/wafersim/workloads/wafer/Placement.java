package dev.wafersim.workloads.wafer;

import java.util.ArrayList;
import java.util.List;

/**
 * The layout of a model on its wafers: per wafer, its segments in the order a token visits them.
 *
 * @param strategy        the strategy that made it
 * @param wafers          the wafers, first to last
 * @param tilePadElements weight-tile columns padded to this many elements (2 when packed densely to fit)
 */
public record Placement(String strategy, List<WaferLayout> wafers, int tilePadElements) {

    /**
     * One wafer's share.
     *
     * @param index     the wafer's position in the pipeline
     * @param segments  its segments, in the order a token visits them
     * @param slotCols  width of a layer region, PEs
     * @param slotRows  height of a layer region, PEs
     * @param stacks    columns of regions across the wafer
     * @param perStack  regions per column
     */
    public record WaferLayout(int index, List<Segment> segments, int slotCols, int slotRows, int stacks,
                              int perStack) {
        /** SRAM bytes used by the segments. */
        public long sramBytesUsed() {
            long s = 0;
            for (Segment seg : segments) {
                s += seg.sramBytes();
            }
            return s;
        }

        /** PEs holding a segment. */
        public long pesUsed() {
            long s = 0;
            for (Segment seg : segments) {
                s += seg.region().pes();
            }
            return s;
        }

        /** A line per segment: label, region and SRAM per PE. */
        public List<String> describe() {
            List<String> out = new ArrayList<>();
            for (Segment seg : segments) {
                Region r = seg.region();
                out.add(String.format(java.util.Locale.ROOT, "%-10s at (%d,%d) %d x %d PEs%s, %,d B per PE",
                        seg.label(), r.x0(), r.y0(), r.cols(), r.rows(), r.flipped() ? " (input at the bottom)" : "",
                        seg.plan().dataBytesPerPe));
            }
            return out;
        }
    }

    /** SRAM bytes used on all wafers. */
    public long sramBytesUsed() {
        long s = 0;
        for (WaferLayout w : wafers) {
            s += w.sramBytesUsed();
        }
        return s;
    }
}
