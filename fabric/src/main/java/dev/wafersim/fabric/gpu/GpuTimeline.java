package dev.wafersim.fabric.gpu;

import java.util.Arrays;

/**
 * What one GPU did, item by item, as the simulation found it. For item {@code i}:
 * the device was free from the end of item {@code i-1} (0 for the first); it was
 * {@linkplain #readyPs ready} once the host had launched the item; the item's
 * {@linkplain #activePs active} part (kernel running, data moving) began when its partners were there;
 * it {@linkplain #endPs ended}. Times in ps.
 */
public final class GpuTimeline {
    private final int gpu;
    private final byte[] kind;
    private final byte[] category;
    private final String[] label;
    private final long[] readyPs;
    private final long[] activePs;
    private final long[] endPs;

    GpuTimeline(int gpu, byte[] kind, byte[] category, String[] label, long[] readyPs, long[] activePs,
                long[] endPs) {
        this.gpu = gpu;
        this.kind = kind;
        this.category = category;
        this.label = label;
        this.readyPs = readyPs;
        this.activePs = activePs;
        this.endPs = endPs;
    }

    /** The GPU. */
    public int gpu() {
        return gpu;
    }

    /** Number of items. */
    public int size() {
        return kind.length;
    }

    /** Kind of item {@code i}. */
    public ItemKind kind(int i) {
        return ItemKind.values()[kind[i]];
    }

    /** Category item {@code i}'s busy time was booked to; {@code null} for a host sync. */
    public TimeCategory category(int i) {
        return kind[i] == GpuProgram.HOST_SYNC ? null : TimeCategory.of(category[i]);
    }

    /** Label of item {@code i}. */
    public String label(int i) {
        return label[i];
    }

    /** When item {@code i} had been launched and the device was free for it, ps. */
    public long readyPs(int i) {
        return readyPs[i];
    }

    /** When item {@code i}'s active part began (after waiting for partners), ps. */
    public long activePs(int i) {
        return activePs[i];
    }

    /** When item {@code i} ended, ps. */
    public long endPs(int i) {
        return endPs[i];
    }

    /** When the device became free for item {@code i}: the end of the previous item, or 0. */
    public long freePs(int i) {
        return i == 0 ? 0 : endPs[i - 1];
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GpuTimeline t)) {
            return false;
        }
        return gpu == t.gpu && Arrays.equals(kind, t.kind) && Arrays.equals(category, t.category)
                && Arrays.equals(label, t.label) && Arrays.equals(readyPs, t.readyPs)
                && Arrays.equals(activePs, t.activePs) && Arrays.equals(endPs, t.endPs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * gpu + Arrays.hashCode(endPs)) + Arrays.hashCode(activePs);
    }
}
